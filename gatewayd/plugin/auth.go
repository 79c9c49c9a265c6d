package plugin

import "crypto/rand"

// Anonymous is the `anonymous` option of Kong's auth plugins (a consumer
// id or username). With it set, auth plugins combine as a logical OR: a
// request an earlier auth plugin authenticated passes, and a request that
// fails continues as the anonymous consumer instead of being rejected.
type Anonymous string

// Satisfied reports whether authentication can be skipped: anonymous is
// set and an earlier plugin already authenticated a credential.
func (a Anonymous) Satisfied(c *Context) bool { return a != "" && c.Credential() != nil }

// Fallback handles a failed authentication. Without anonymous it returns
// false and the caller rejects the request. Otherwise the request goes on
// as the anonymous consumer; when that consumer does not exist the answer
// is 500, as Kong 3.9's kong.client.authenticate(nil) raise becomes.
func (a Anonymous) Fallback(c *Context) bool {
	if a == "" {
		return false
	}
	consumer := c.LoadConsumer(string(a))
	if consumer == nil {
		c.Logger().Error("anonymous consumer is configured but doesn't exist", "anonymous", string(a))
		c.Error(500, "An unexpected error occurred")
		return true
	}
	c.Authenticate(consumer, nil)
	return true
}

// RandomLength is the length of generated credential keys and secrets.
const RandomLength = 32

const randomAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomString returns RandomLength characters drawn uniformly from
// [A-Za-z0-9] with crypto/rand, as Kong's kong.tools.rand.random_string
// generates credential keys and secrets.
func RandomString() string {
	out := make([]byte, 0, RandomLength)
	var buf [64]byte
	for len(out) < RandomLength {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("plugin: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps the draw uniform.
			if b < 248 {
				out = append(out, randomAlphabet[int(b)%len(randomAlphabet)])
				if len(out) == RandomLength {
					break
				}
			}
		}
	}
	return string(out)
}

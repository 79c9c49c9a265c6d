package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"hash"
	"math/big"
)

// token is a decoded JWT (kong/plugins/jwt/jwt_parser.lua decode_token).
type token struct {
	// signed is "<header_64>.<claims_64>", the signing input.
	signed    []byte
	header    map[string]any
	claims    map[string]any
	signature []byte
	alg       string
}

// Decoding errors, as jwt_parser reports them after "Bad token; ".
const (
	errInvalidJSON      = "invalid JSON"
	errInvalidAlg       = "invalid alg"
	errInvalidClaims    = "invalid claims"
	errInvalidSignature = "invalid signature"
)

// supported reports whether alg is one jwt_parser can verify.
func supported(alg string) bool {
	for _, a := range Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

// decodeToken splits a token in at most three parts at dots (the third
// keeps any further dots) and decodes them as jwt_parser does: a part
// missing or not decoding to JSON is "invalid JSON", a header without a
// supported alg "invalid alg", a signature that is not base64 "invalid
// signature".
func decodeToken(raw []byte) (token, string) {
	var t token
	i := indexByte(raw, '.', 0)
	if i < 0 {
		return t, errInvalidJSON
	}
	j := indexByte(raw, '.', i+1)
	if j < 0 {
		return t, errInvalidJSON
	}
	t.signed = raw[:j]
	headerJSON, ok1 := decodeBase64(raw[:i], true)
	claimsJSON, ok2 := decodeBase64(raw[i+1:j], true)
	if !ok1 || !ok2 {
		return t, errInvalidJSON
	}
	var header, claims any
	if json.Unmarshal(headerJSON, &header) != nil || json.Unmarshal(claimsJSON, &claims) != nil {
		return t, errInvalidJSON
	}
	sig, sigOK := decodeBase64(raw[j+1:], true)

	t.header, _ = header.(map[string]any)
	t.alg, _ = t.header["alg"].(string)
	if !supported(t.alg) {
		return t, errInvalidAlg
	}
	t.claims, _ = claims.(map[string]any)
	if t.claims == nil {
		return t, errInvalidClaims
	}
	if !sigOK {
		return t, errInvalidSignature
	}
	t.signature = sig
	return t, ""
}

func indexByte(b []byte, c byte, from int) int {
	for i := from; i < len(b); i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// b64 maps base64 characters to their values; 0xff marks invalid ones.
// URL-safe '-' and '_' are marked 0xfe and accepted only when asked.
var b64 = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = byte(i)
	}
	t['-'], t['_'] = 0xfe, 0xfe
	return t
}()

// decodeBase64 decodes like nginx's ngx.decode_base64: input stops at the
// first '=', a length of 4n+1 is invalid, leftover bits are ignored. With
// url, '-' and '_' stand for '+' and '/' (jwt_parser's base64_decode
// translates them first). ok is false for malformed input.
func decodeBase64(src []byte, url bool) ([]byte, bool) {
	n := 0
	for n < len(src) && src[n] != '=' {
		v := b64[src[n]]
		if v == 0xff || (v == 0xfe && !url) {
			return nil, false
		}
		n++
	}
	if n%4 == 1 {
		return nil, false
	}
	out := make([]byte, 0, n*3/4)
	var acc uint32
	bits := 0
	for i := 0; i < n; i++ {
		c := src[i]
		v := b64[c]
		if v == 0xfe {
			if c == '-' {
				v = 62
			} else {
				v = 63
			}
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			out = append(out, byte(acc>>uint(bits)))
		}
	}
	return out, true
}

// verify checks the token's signature with key (HS*) or pub (others), as
// jwt_parser's alg_verify does.
func (t *token) verify(key []byte, pub crypto.PublicKey) bool {
	switch t.alg {
	case "HS256":
		return hmacEqual(sha256.New, key, t.signed, t.signature)
	case "HS384":
		return hmacEqual(sha512.New384, key, t.signed, t.signature)
	case "HS512":
		return hmacEqual(sha512.New, key, t.signed, t.signature)
	case "RS256", "PS256", "ES256":
		d := sha256.Sum256(t.signed)
		return verifyDigest(t.alg, pub, crypto.SHA256, d[:], t.signature)
	case "RS384", "PS384", "ES384":
		d := sha512.Sum384(t.signed)
		return verifyDigest(t.alg, pub, crypto.SHA384, d[:], t.signature)
	case "RS512", "PS512", "ES512":
		d := sha512.Sum512(t.signed)
		return verifyDigest(t.alg, pub, crypto.SHA512, d[:], t.signature)
	case "EdDSA":
		k, ok := pub.(ed25519.PublicKey)
		return ok && ed25519.Verify(k, t.signed, t.signature)
	}
	return false
}

func hmacEqual(h func() hash.Hash, key, data, sig []byte) bool {
	m := hmac.New(h, key)
	m.Write(data)
	var buf [64]byte
	return hmac.Equal(m.Sum(buf[:0]), sig)
}

func verifyDigest(alg string, pub crypto.PublicKey, h crypto.Hash, digest, sig []byte) bool {
	switch alg[0] {
	case 'R':
		k, ok := pub.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
	case 'P':
		k, ok := pub.(*rsa.PublicKey)
		return ok && rsa.VerifyPSS(k, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
	case 'E':
		// JWS ECDSA signatures are r||s, each the curve's byte size:
		// 64, 96 and 132 bytes for ES256, ES384, ES512.
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return false
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		want := 66
		switch h {
		case crypto.SHA256:
			want = 32
		case crypto.SHA384:
			want = 48
		}
		if size != want || len(sig) != 2*size {
			return false
		}
		r := new(big.Int).SetBytes(sig[:size])
		s := new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

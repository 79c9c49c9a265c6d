package api

import (
	"crypto/sha1" // #nosec G505 -- Kong's stored basic-auth format, not our choice
	"encoding/hex"
)

// BasicAuthHash is the form in which Kong and gatewayd store a basic-auth
// password: the hex SHA-1 of the password followed by the consumer's id.
// Reading a credential returns this hash, so a client that wants to know
// whether a password is already set compares hashes.
func BasicAuthHash(consumerID, password string) string {
	sum := sha1.Sum([]byte(password + consumerID)) // #nosec G401 -- see above
	return hex.EncodeToString(sum[:])
}

package mapr

import (
	"crypto/sha256"
	"encoding/hex"
)

// sha256Hex is the checksum used to decide whether an upload is a no-op and
// to identify license content.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func sameDigest(a, b []byte) bool { return sha256Hex(a) == sha256Hex(b) }

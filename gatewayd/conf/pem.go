package conf

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
)

var pemMarker = []byte("-----BEGIN ")

// ReadPEM returns the PEM data a certificate or key setting refers to. Like
// Kong, such settings accept a file path, the PEM text itself, or the PEM
// text base64-encoded (handy in environment variables); every consumer
// should read them through here so the three forms behave the same.
func ReadPEM(value string) ([]byte, error) {
	if strings.Contains(value, string(pemMarker)) {
		return []byte(value), nil
	}
	if data, err := os.ReadFile(value); err == nil {
		return data, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", value, err)
	}
	if data, ok := decodeBase64PEM(value); ok {
		return data, nil
	}
	return nil, fmt.Errorf("%s: no such file, and not PEM or base64-encoded PEM", value)
}

// checkPEM validates a setting the way Kong's conf_loader does, without
// reading the file. For secrets the value is not echoed: it may be key
// material rather than a mistyped path.
func checkPEM(value string, secret bool) error {
	if strings.Contains(value, string(pemMarker)) {
		return nil
	}
	if st, err := os.Stat(value); err == nil {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory, not a PEM file", value)
		}
		return nil
	}
	if _, ok := decodeBase64PEM(value); ok {
		return nil
	}
	if secret {
		return errors.New("no such file, and not PEM or base64-encoded PEM")
	}
	return fmt.Errorf("failed loading %q: no such file, and not PEM or base64-encoded PEM", value)
}

func decodeBase64PEM(value string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		if data, err := enc.DecodeString(value); err == nil && bytes.Contains(data, pemMarker) {
			return data, true
		}
	}
	return nil, false
}

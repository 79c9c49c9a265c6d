package gateway

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// ErrorMessage words an error for `msg`: Admin API errors name the
// request, the status and each field the server rejected, so the user
// sees "config.minute: expected a number" rather than a status code.
func ErrorMessage(err error) string {
	var e *api.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	var b strings.Builder
	b.WriteString(err.Error())
	if fe := e.FieldErrors(); len(fe) > 0 && !mentionsAll(e.Message, fe) {
		b.WriteString(" (")
		for i, f := range fe {
			if i > 0 {
				b.WriteString("; ")
			}
			if f[0] != "" {
				b.WriteString(f[0] + ": ")
			}
			b.WriteString(f[1])
		}
		b.WriteString(")")
	}
	return b.String()
}

// ErrorDetails are the return values of a failed Admin API call: the
// status and the decoded error body, for `register` and -v output.
func ErrorDetails(err error) module.Result {
	var e *api.Error
	if !errors.As(err, &e) {
		return nil
	}
	r := module.Result{"status": e.Status}
	var body any
	if json.Unmarshal(e.Body, &body) == nil {
		r["response"] = body
	}
	return r
}

// mentionsAll reports whether the server's message already names every
// field error (gatewayd's and Kong's schema violations do).
func mentionsAll(msg string, fe [][2]string) bool {
	for _, f := range fe {
		if !strings.Contains(msg, f[1]) {
			return false
		}
	}
	return true
}

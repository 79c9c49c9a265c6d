package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// Kong's DB error codes (kong/db/errors.lua).
const (
	codeInvalidPrimaryKey  = 1
	codeSchemaViolation    = 2
	codePrimaryKey         = 3
	codeForeignKey         = 4
	codeUnique             = 5
	codeInvalidOffset      = 7
	codeInvalidSize        = 9
	codeInvalidUnique      = 10
	codeInvalidOptions     = 11
	codeUnsupported        = 12
	codeForeignUnresolved  = 13
	codeDeclarativeInvalid = 14
)

// apiError is an admin response that is not a success: either Kong's DB
// error envelope ({code, name, message, fields}) or a plain {message}.
type apiError struct {
	status int
	body   map[string]any
}

func (e *apiError) Error() string { return fmt.Sprint(e.body["message"]) }

func plainError(status int, msg string) *apiError {
	return &apiError{status: status, body: map[string]any{"message": msg}}
}

var (
	errNotFound         = plainError(http.StatusNotFound, "Not found")
	errMethodNotAllowed = plainError(http.StatusMethodNotAllowed, "Method not allowed")
)

func dbError(status, code int, name, msg string, fields map[string]any) *apiError {
	body := map[string]any{"code": code, "name": name, "message": msg}
	if fields != nil {
		body["fields"] = fields
	}
	return &apiError{status: status, body: body}
}

func schemaViolation(errs schema.Errors) *apiError {
	return dbError(http.StatusBadRequest, codeSchemaViolation, "schema violation", errs.Message(), map[string]any(errs))
}

func invalidOptions(option, msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: map[string]any{
		"code": codeInvalidOptions, "name": "invalid options",
		"message": "invalid option (" + option + ": " + msg + ")",
		"options": map[string]any{option: msg},
	}}
}

func invalidSize(msg string) *apiError {
	return dbError(http.StatusBadRequest, codeInvalidSize, "invalid size", msg, nil)
}

func invalidPrimaryKey(id string) *apiError {
	fields := map[string]any{"id": "expected a valid UUID"}
	return dbError(http.StatusBadRequest, codeInvalidPrimaryKey, "invalid primary key",
		"invalid primary key: '"+schema.Pretty(fields, "")+"'", fields)
}

// unresolvedForeign is code 13: foreign keys given by a unique field that
// does not exist, as {field: {unique_field: message}} (kong/db/errors.lua
// foreign_keys_unresolved).
func unresolvedForeign(fields map[string]any) *apiError {
	var parts []string
	for _, name := range sortedKeys(fields) {
		sub := fields[name].(map[string]any)
		for _, key := range sortedKeys(sub) {
			parts = append(parts, fmt.Sprintf("%s.%s: %s", name, key, sub[key]))
		}
	}
	msg := "foreign key unresolved (" + parts[0] + ")"
	if len(parts) > 1 {
		msg = fmt.Sprintf("%d foreign keys unresolved (%s)", len(parts), strings.Join(parts, "; "))
	}
	return dbError(http.StatusBadRequest, codeForeignUnresolved, "foreign keys unresolved", msg, fields)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fromStore maps store errors to Kong's bodies and statuses.
func fromStore(err error) *apiError {
	var ae *apiError
	var uniq *store.UniqueError
	var fk *store.ForeignKeyError
	var restrict *store.RestrictError
	var pk *store.PrimaryKeyError
	var off *store.OffsetError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &uniq):
		return dbError(http.StatusConflict, codeUnique, "unique constraint violation",
			"UNIQUE violation detected on '"+schema.Pretty(uniq.Fields, "")+"'", uniq.Fields)
	case errors.As(err, &fk):
		key := map[string]any{"id": fk.RefID}
		return dbError(http.StatusBadRequest, codeForeignKey, "foreign key violation",
			fmt.Sprintf("the foreign key '%s' does not reference an existing '%s' entity.", schema.Pretty(key, ""), fk.RefEntity),
			map[string]any{fk.Field: key})
	case errors.As(err, &restrict):
		return dbError(http.StatusBadRequest, codeForeignKey, "foreign key violation", restrict.Error(),
			map[string]any{"@referenced_by": restrict.Child})
	case errors.As(err, &pk):
		key := map[string]any{"id": pk.ID}
		return dbError(http.StatusBadRequest, codePrimaryKey, "primary key violation",
			"primary key violation on key '"+schema.Pretty(key, "")+"'", key)
	case errors.As(err, &off):
		return dbError(http.StatusBadRequest, codeInvalidOffset, "invalid offset", off.Error(), nil)
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return plainError(http.StatusServiceUnavailable, "database unavailable: "+err.Error())
	}
	return nil
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

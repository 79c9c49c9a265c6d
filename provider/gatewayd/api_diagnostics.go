package gatewayd

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// Kong's DAO error codes (kong/db/errors.lua) the provider explains.
const (
	codeSchemaViolation  = 2
	codeUniqueViolation  = 5
	codeForeignKey       = 4
	codePrimaryKey       = 3
	codeInvalidUniqueKey = 10
)

var indexSuffix = regexp.MustCompile(`\[\d+\]`)

// apiErrorDiagnostics turns an Admin API failure into diagnostics. Each
// field error of a 400 or 409 answer is attached to the attribute it
// names, so Terraform points at the offending line of the configuration.
func apiErrorDiagnostics(action string, err error, d *entityDef) diag.Diagnostics {
	var diags diag.Diagnostics
	var ae *api.Error
	if !errors.As(err, &ae) {
		diags.AddError(fmt.Sprintf("Could not %s %s", action, d.title),
			fmt.Sprintf("The Admin API request failed: %v", err))
		return diags
	}
	fieldErrs := ae.FieldErrors()
	if len(fieldErrs) == 0 {
		diags.AddError(fmt.Sprintf("Could not %s %s", action, d.title),
			fmt.Sprintf("The Admin API answered %d: %s", ae.Status, ae.Message))
		return diags
	}
	if ae.Code == codeUniqueViolation || ae.Code == codePrimaryKey {
		var pairs []string
		var at path.Path
		found := false
		for _, fe := range fieldErrs {
			p, name, ok := d.attributePath(fe[0])
			if !ok {
				continue
			}
			if !found {
				at, found = p, true
			}
			pairs = append(pairs, fmt.Sprintf("%s = %q", name, fe[1]))
		}
		detail := fmt.Sprintf("The Admin API answered %d: %s.\n\nA %s with %s already exists.", ae.Status, ae.Message,
			d.title, strings.Join(pairs, ", "))
		if d.importHint != "" {
			detail += " Import it into Terraform (" + d.importHint + ") or choose another value."
		}
		if !found {
			diags.AddError(fmt.Sprintf("Could not %s %s: conflict", action, d.title), detail)
		} else {
			diags.AddAttributeError(at, fmt.Sprintf("Could not %s %s: conflict", action, d.title), detail)
		}
		return diags
	}
	for _, fe := range fieldErrs {
		apiPath, msg := fe[0], fe[1]
		summary := fmt.Sprintf("Could not %s %s: %s", action, d.title, ae.Name)
		if ae.Name == "" {
			summary = fmt.Sprintf("Could not %s %s", action, d.title)
		}
		if apiPath == "@entity" || strings.HasSuffix(apiPath, "@entity") {
			diags.AddError(summary, fmt.Sprintf("The Admin API rejected the %s: %s", d.title, msg))
			continue
		}
		p, name, ok := d.attributePath(apiPath)
		if !ok {
			diags.AddError(summary, fmt.Sprintf("The Admin API rejected field %s: %s", apiPath, msg))
			continue
		}
		detail := fmt.Sprintf("%s: %s", name, msg)
		if name != apiPath {
			detail = fmt.Sprintf("%s (Admin API field %s): %s", name, apiPath, msg)
		}
		diags.AddAttributeError(p, summary, detail)
	}
	return diags
}

// attributePath maps an Admin API error path ("port", "config.minute",
// "healthchecks.active.timeout", "paths[2]") to the attribute holding it.
func (d *entityDef) attributePath(apiPath string) (path.Path, string, bool) {
	clean := indexSuffix.ReplaceAllString(apiPath, "")
	parts := strings.Split(clean, ".")
	if d.errorPath != nil {
		if p, name, ok := d.errorPath(parts); ok {
			return p, name, true
		}
	}
	f, ok := fieldByAPI(d.fields, parts[0])
	if !ok {
		return path.Empty(), "", false
	}
	p := path.Root(f.attr)
	name := f.attr
	fields := f.fields
	for _, part := range parts[1:] {
		sub, ok := fieldByAPI(fields, part)
		if !ok || f.kind != kObject {
			break
		}
		p = p.AtName(sub.attr)
		name += "." + sub.attr
		f, fields = sub, sub.fields
	}
	return p, name, true
}

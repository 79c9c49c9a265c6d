package admin

import (
	"errors"
	"sort"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// Certificates carry a transient "snis" list that Kong stores as SNI
// entities; these helpers keep both in one transaction.

func (rc *reqCtx) certificateBySNI(name string) (schema.Doc, error) {
	sni, err := rc.s.opts.Store.GetByField(rc.ctx(), "snis", "name", name)
	if err != nil {
		return nil, err
	}
	id, _ := idOf(sni["certificate"]).(string)
	return rc.s.opts.Store.Get(rc.ctx(), "certificates", id)
}

func (rc *reqCtx) certificateSNIs(r store.Reader, certID string) ([]schema.Doc, error) {
	var out []schema.Doc
	offset := ""
	for {
		page, err := r.List(rc.ctx(), "snis", store.ListQuery{Size: 1000, Offset: offset, ForeignField: "certificate", ForeignID: certID})
		if err != nil {
			return nil, err
		}
		out = append(out, page.Data...)
		if page.Offset == "" {
			return out, nil
		}
		offset = page.Offset
	}
}

func (rc *reqCtx) certificateSNINames(certID string) []any {
	snis, err := rc.certificateSNIs(rc.s.opts.Store, certID)
	if err != nil {
		rc.s.log.Error("listing certificate snis", "certificate", certID, "err", err)
	}
	names := make([]string, 0, len(snis))
	for _, s := range snis {
		if n, ok := s["name"].(string); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return schema.Strings(names...)
}

func appendSNI(v any, name string) any {
	list, _ := v.([]any)
	for _, x := range list {
		if x == name {
			return list
		}
	}
	return append(list, name)
}

// sniList is the set of SNI names a certificate write asks for.
type sniList struct{ names []string }

// certificateSNIInput reads the transient snis of a certificate write the
// way kong/db/dao/certificates.lua does before touching the certificate:
// absent on PATCH leaves the SNIs alone (nil result); null (or absent on
// POST/PUT) means none; a name given twice is "<n> is duplicated"; a name
// owned by another certificate is "<n> already associated with existing
// certificate '<id>'". A single string is taken as a one-name list, as
// prepare_args does.
func (rc *reqCtx) certificateSNIInput(in, existing schema.Doc, op schema.Op) (*sniList, *apiError) {
	v, present := in["snis"]
	if !present && op == schema.Update {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		v = []any{s}
		in["snis"] = v
	}
	list, ok := v.([]any)
	if v != nil && !ok {
		return nil, nil // not a list: the schema reports it
	}
	out := &sniList{}
	seen := map[string]bool{}
	for _, x := range list {
		name, ok := x.(string)
		if !ok {
			return nil, nil // the schema reports the element
		}
		if seen[name] {
			return nil, schemaViolation(schema.Errors{"snis": name + " is duplicated"})
		}
		seen[name] = true
		out.names = append(out.names, name)
	}
	certID, _ := in["id"].(string)
	if existing != nil {
		certID, _ = existing["id"].(string)
	}
	if err := rc.checkSNIOwners(rc.s.opts.Store, out.names, certID); err != nil {
		return nil, rc.s.internal(rc.r, err)
	}
	return out, nil
}

// checkSNIOwners fails when one of names belongs to a certificate other
// than certID (kong/db/dao/snis.lua check_list_is_new).
func (rc *reqCtx) checkSNIOwners(r store.Reader, names []string, certID string) error {
	for _, name := range names {
		existing, err := r.GetByField(rc.ctx(), "snis", "name", name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if owner, _ := idOf(existing["certificate"]).(string); owner != certID {
			return schemaViolation(schema.Errors{"snis": name + " already associated with existing certificate '" + owner + "'"})
		}
	}
	return nil
}

// syncCertificateSNIs makes the certificate's SNI set equal to names, in
// the certificate's transaction (kong/db/dao/snis.lua update_list). A name
// that is not a valid SNI fails with the SNI entity's own schema violation.
func (rc *reqCtx) syncCertificateSNIs(w store.Writer, certID string, names []string) error {
	if err := rc.checkSNIOwners(w, names, certID); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	current, err := rc.certificateSNIs(w, certID)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, s := range current {
		name, _ := s["name"].(string)
		if !want[name] {
			if err := w.Delete(rc.ctx(), "snis", s["id"].(string)); err != nil {
				return err
			}
			continue
		}
		have[name] = true
	}
	sniSchema := rc.s.opts.Registry.Get("snis")
	for _, name := range names {
		if have[name] {
			continue
		}
		doc, errs := sniSchema.Prepare(schema.Doc{"name": name,
			"certificate": map[string]any{"id": certID}}, nil, schema.Insert, rc.s.opts.Now())
		if !errs.Empty() {
			return schemaViolation(errs)
		}
		if err := w.Insert(rc.ctx(), "snis", doc); err != nil {
			return err
		}
	}
	return nil
}

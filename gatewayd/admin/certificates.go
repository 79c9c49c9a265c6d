package admin

import (
	"errors"
	"sort"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/google/uuid"
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

// syncCertificateSNIs makes the certificate's SNI set equal to the given
// list. A null/absent list leaves the SNIs alone.
func (rc *reqCtx) syncCertificateSNIs(w store.Writer, cert schema.Doc, transient map[string]any, op schema.Op) error {
	list, ok := transient["snis"].([]any)
	if !ok {
		return nil
	}
	certID := cert["id"].(string)
	want := map[string]bool{}
	for _, v := range list {
		name := v.(string)
		if want[name] {
			return schemaViolation(schema.Errors{"snis": name + " is duplicated"})
		}
		want[name] = true
	}
	for _, name := range sortedNames(want) {
		existing, err := w.GetByField(rc.ctx(), "snis", "name", name)
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
	for _, name := range sortedNames(want) {
		if have[name] {
			continue
		}
		doc, errs := sniSchema.Prepare(schema.Doc{"id": uuid.NewString(), "name": name,
			"certificate": map[string]any{"id": certID}}, nil, schema.Insert, rc.s.opts.Now())
		if !errs.Empty() {
			return schemaViolation(schema.Errors{"snis": errs.Message()})
		}
		if err := w.Insert(rc.ctx(), "snis", doc); err != nil {
			return err
		}
	}
	return nil
}

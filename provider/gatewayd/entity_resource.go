package gatewayd

import (
	"context"
	"crypto/sha1" // #nosec G505 -- Kong's basic-auth hash, compared, never used to protect anything
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// parentRef describes an entity nested under another one (a credential
// under its consumer, a target under its upstream).
type parentRef struct {
	attr       string // "consumer_id"
	collection string // "consumers"
	nested     string // "key-auth"
	// topLevel is the top-level collection ("key-auths"), "" when the
	// entity is reachable only under its parent (targets).
	topLevel string
}

// entityDef declares one entity resource: where it lives in the Admin
// API, its fields, and the few places where an entity needs more than
// the generic behaviour (plugin configuration, write-only secrets).
type entityDef struct {
	typeName   string // "service": the resource is gatewayd_service
	title      string // "service", for messages
	desc       string // markdown description of the resource
	collection string // "services"
	parent     *parentRef
	fields     []field
	// importHint tells a user who hit a 409 how to import the existing
	// entity; importDoc lists the accepted import ids.
	importHint string
	importDoc  string
	// replaceWithPut updates with PUT (create-or-replace) instead of PATCH
	// (merge): plugins, whose config record PATCH would merge, so a key
	// removed from config_json would otherwise stay set.
	replaceWithPut bool

	extraAttrs  func() map[string]schema.Attribute
	validators  func() []resource.ConfigValidator
	errorPath   func(parts []string) (path.Path, string, bool)
	importPaths func(id string) []string
	// toBody completes a request body; toState completes the state built
	// from an answer (prior is the plan after a write, the prior state on
	// Read, nearly empty after an import; read is false after a write,
	// when configured values must stay exactly as planned).
	toBody  func(ctx context.Context, pd *providerData, plan, config, state map[string]attr.Value, body api.Entity) diag.Diagnostics
	toState func(ctx context.Context, pd *providerData, e api.Entity, prior, out map[string]attr.Value, read bool) diag.Diagnostics
}

func (d *entityDef) parentField() field {
	f, _ := fieldByAttr(d.fields, d.parent.attr)
	return f
}

func (d *entityDef) collectionPath(vals map[string]attr.Value) string {
	if d.parent == nil {
		return d.collection
	}
	return d.parent.collection + "/" + api.Path(str(vals[d.parent.attr])) + "/" + d.parent.nested
}

func (d *entityDef) entityPath(vals map[string]attr.Value) string {
	id := api.Path(str(vals["id"]))
	if d.parent == nil {
		return d.collection + "/" + id
	}
	if p := str(vals[d.parent.attr]); p != "" {
		return d.parent.collection + "/" + api.Path(p) + "/" + d.parent.nested + "/" + id
	}
	return d.parent.topLevel + "/" + id
}

// candidatePaths lists where an import id may point: an id or endpoint key
// at the top level, or "<parent>/<id or key>" under the parent.
func (d *entityDef) candidatePaths(id string) ([]string, error) {
	if d.importPaths != nil {
		return d.importPaths(id), nil
	}
	if d.parent == nil {
		return []string{d.collection + "/" + api.Path(id)}, nil
	}
	var out []string
	if i := strings.Index(id, "/"); i > 0 && i < len(id)-1 {
		out = append(out, d.parent.collection+"/"+api.Path(id[:i])+"/"+d.parent.nested+"/"+api.Path(id[i+1:]))
	}
	if d.parent.topLevel != "" {
		out = append(out, d.parent.topLevel+"/"+api.Path(id))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("expected <%s>/<id or key>", strings.TrimSuffix(d.parent.attr, "_id"))
	}
	return out, nil
}

// entityResource is the generic resource every entity is built on.
type entityResource struct {
	def *entityDef
	pd  *providerData
}

var (
	_ resource.Resource                     = (*entityResource)(nil)
	_ resource.ResourceWithConfigure        = (*entityResource)(nil)
	_ resource.ResourceWithImportState      = (*entityResource)(nil)
	_ resource.ResourceWithConfigValidators = (*entityResource)(nil)
)

func (r *entityResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.def.typeName
}

func (r *entityResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := resourceAttributes(r.def.fields)
	if id, ok := attrs["id"].(schema.StringAttribute); ok {
		id.PlanModifiers = []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
		attrs["id"] = id
	}
	if r.def.extraAttrs != nil {
		for k, v := range r.def.extraAttrs() {
			attrs[k] = v
		}
	}
	desc := r.def.desc
	if r.def.importDoc != "" {
		desc += "\n\n" + r.def.importDoc
	}
	resp.Schema = schema.Schema{Description: desc, MarkdownDescription: desc, Attributes: attrs}
}

func (r *entityResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	if r.def.validators == nil {
		return nil
	}
	return r.def.validators()
}

func (r *entityResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	pd, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("got %T", req.ProviderData))
		return
	}
	r.pd = pd
}

func (r *entityResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config types.Object
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pv := plan.Attributes()
	body, diags := r.body(ctx, pv, config.Attributes(), nil)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	e, err := r.pd.client.Create(ctx, r.def.collectionPath(pv), body)
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostics("create", err, r.def)...)
		return
	}
	r.writeState(ctx, e, pv, plan, false, &resp.State, &resp.Diagnostics)
}

func (r *entityResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state types.Object
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sv := state.Attributes()
	e, err := r.pd.client.Get(ctx, r.def.entityPath(sv))
	if api.IsNotFound(err) {
		// Deleted outside Terraform: forget it, so the plan recreates it.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostics("read", err, r.def)...)
		return
	}
	r.writeState(ctx, e, sv, state, true, &resp.State, &resp.Diagnostics)
}

func (r *entityResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, config, state types.Object
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	pv, sv := plan.Attributes(), state.Attributes()
	body, diags := r.body(ctx, pv, config.Attributes(), sv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	var e api.Entity
	var err error
	switch {
	case r.def.replaceWithPut:
		e, err = r.pd.client.Upsert(ctx, r.def.entityPath(sv), body)
	case len(body) == 0:
		// Only Terraform-side attributes changed (a *_wo_version without a
		// new value): nothing to send.
		e, err = r.pd.client.Get(ctx, r.def.entityPath(sv))
	default:
		e, err = r.pd.client.Update(ctx, r.def.entityPath(sv), body)
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostics("update", err, r.def)...)
		return
	}
	r.writeState(ctx, e, pv, plan, false, &resp.State, &resp.Diagnostics)
}

func (r *entityResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state types.Object
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if err := r.pd.client.Delete(ctx, r.def.entityPath(state.Attributes())); err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostics("delete", err, r.def)...)
	}
}

func (r *entityResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	paths, err := r.def.candidatePaths(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("%q: %v.\n\n%s", req.ID, err, r.def.importDoc))
		return
	}
	for _, p := range paths {
		e, err := r.pd.client.Get(ctx, p)
		if api.IsNotFound(err) {
			continue
		}
		if err != nil {
			resp.Diagnostics.Append(apiErrorDiagnostics("import", err, r.def)...)
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), str(e["id"]))...)
		if r.def.parent != nil {
			pf := r.def.parentField()
			resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(pf.attr), foreignID(e[pf.apiName()]))...)
		}
		return
	}
	resp.Diagnostics.AddError("Cannot import non-existent remote object",
		fmt.Sprintf("No %s matches the import id %q.\n\n%s", r.def.title, req.ID, r.def.importDoc))
}

// body builds the request body: on create every configured value, on a
// PATCH only what differs from the prior state (Kong merges the rest),
// on a PUT everything.
func (r *entityResource) body(ctx context.Context, plan, config, state map[string]attr.Value) (api.Entity, diag.Diagnostics) {
	var diags diag.Diagnostics
	create := state == nil
	body := api.Entity{}
	for _, f := range r.def.fields {
		if f.readOnly {
			continue
		}
		v := plan[f.attr]
		if !create && !r.def.replaceWithPut && state[f.attr] != nil && v.Equal(state[f.attr]) {
			continue
		}
		j, known := valueToJSON(ctx, v)
		if !known || (j == nil && (create || f.secret != secretNone)) {
			continue
		}
		if f.kind == kForeign && j != nil {
			j = map[string]any{"id": j}
		}
		body[f.apiName()] = j
	}
	for _, f := range r.def.fields {
		if !f.writeOnly {
			continue
		}
		wo := config[f.woAttr()]
		if wo == nil || wo.IsNull() || wo.IsUnknown() {
			continue
		}
		if create || !plan[f.woVersionAttr()].Equal(state[f.woVersionAttr()]) {
			j, _ := valueToJSON(ctx, wo)
			body[f.apiName()] = j
		}
	}
	if r.def.replaceWithPut && !create {
		// A PUT resets what it does not carry, created_at included.
		if j, ok := valueToJSON(ctx, state["created_at"]); ok && j != nil {
			body["created_at"] = j
		}
	}
	if r.def.toBody != nil {
		diags.Append(r.def.toBody(ctx, r.pd, plan, config, state, body)...)
	}
	return body, diags
}

// writeState stores the entity the Admin API answered with.
func (r *entityResource) writeState(ctx context.Context, e api.Entity, prior map[string]attr.Value, like types.Object, read bool,
	st interface {
		Set(context.Context, any) diag.Diagnostics
	}, diags *diag.Diagnostics) {
	out, d := stateFromEntity(ctx, r.def, r.pd, e, prior, read)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	obj, d := types.ObjectValue(like.AttributeTypes(ctx), out)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	diags.Append(st.Set(ctx, obj)...)
}

// stateFromEntity maps an Admin API entity onto the attributes, keeping
// what only Terraform knows (write-only versions, secrets the server
// hashes) from prior.
func stateFromEntity(ctx context.Context, d *entityDef, pd *providerData, e api.Entity, prior map[string]attr.Value, read bool) (map[string]attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := make(map[string]attr.Value, len(prior))
	for k, v := range prior {
		out[k] = v
	}
	for _, f := range d.fields {
		t := f.attrType()
		raw := e[f.apiName()]
		if f.kind == kForeign {
			raw = foreignIDValue(raw)
		}
		woManaged := false
		if f.writeOnly {
			out[f.woAttr()] = types.StringNull()
			ver := prior[f.woVersionAttr()]
			if ver == nil || ver.IsUnknown() {
				ver = types.Int64Null()
			}
			out[f.woVersionAttr()] = ver
			woManaged = !ver.IsNull()
		}
		var v attr.Value
		var dd diag.Diagnostics
		switch {
		case woManaged:
			v, dd = valueFromJSON(ctx, t, nil)
		case f.secret == secretHashed:
			v, dd = hashedSecret(ctx, t, prior[f.attr], raw, foreignID(e["consumer"]))
		default:
			v, dd = valueFromJSON(ctx, t, raw)
		}
		diags.Append(dd...)
		out[f.attr] = v
	}
	if d.toState != nil {
		diags.Append(d.toState(ctx, pd, e, prior, out, read)...)
	}
	for k, v := range out {
		if v != nil && v.IsUnknown() {
			null, dd := valueFromJSON(ctx, v.Type(ctx), nil)
			diags.Append(dd...)
			out[k] = null
		}
	}
	return out, diags
}

// hashedSecret keeps the password in state while the server's hash still
// matches it (Kong stores hex SHA-1 of password followed by the consumer
// id). A password changed outside Terraform shows as the hash, so the plan
// sets it back. After an import the password is unknown to Terraform:
// null until the configuration sets it.
func hashedSecret(ctx context.Context, t attr.Type, prior attr.Value, server any, consumerID string) (attr.Value, diag.Diagnostics) {
	if prior == nil || prior.IsNull() || prior.IsUnknown() {
		return valueFromJSON(ctx, t, nil)
	}
	p, _ := valueToJSON(ctx, prior)
	ps, _ := p.(string)
	ss, _ := server.(string)
	sum := sha1.Sum([]byte(ps + consumerID)) // #nosec G401 -- see import comment
	if ss == ps || ss == hex.EncodeToString(sum[:]) {
		return prior, nil
	}
	return valueFromJSON(ctx, t, server)
}

func foreignIDValue(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["id"]
	}
	return v
}

func foreignID(v any) string {
	s, _ := foreignIDValue(v).(string)
	return s
}

// str returns the string in a Terraform value ("" for null or unknown).
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case attr.Value:
		if x == nil || x.IsNull() || x.IsUnknown() {
			return ""
		}
		j, _ := valueToJSON(context.Background(), x)
		s, _ := j.(string)
		return s
	}
	return ""
}

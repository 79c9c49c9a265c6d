package mapr

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	maprlib "github.com/gatewayd-toolkit/gatewayd/mapr"
)

var (
	_ resource.Resource                     = (*licenseResource)(nil)
	_ resource.ResourceWithConfigure        = (*licenseResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*licenseResource)(nil)
	_ resource.ResourceWithImportState      = (*licenseResource)(nil)
	_ resource.ResourceWithConfigValidators = (*licenseResource)(nil)
)

// NewLicenseResource is mapr_license.
func NewLicenseResource() resource.Resource { return &licenseResource{} }

type licenseResource struct {
	pd *providerData
}

type licenseModel struct {
	ID          types.String `tfsdk:"id"`
	Host        types.String `tfsdk:"host"`
	License     types.String `tfsdk:"license"`
	LicenseWO   types.String `tfsdk:"license_wo"`
	LicenseFile types.String `tfsdk:"license_file"`
	LicenseID   types.String `tfsdk:"license_id"`
	Hash        types.String `tfsdk:"hash"`
	Description types.String `tfsdk:"description"`
	Deletable   types.Bool   `tfsdk:"deletable"`
	Grace       types.Bool   `tfsdk:"grace"`
}

func (r *licenseResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_license"
}

func (r *licenseResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	resp.Schema = schema.Schema{
		Description: "A MapR license installed on a cluster, through one of its nodes (`maprcli license add`; " +
			"MapR refuses the same license added twice, so the provider lists the installed licenses first and " +
			"adds only what is missing, then lists again to verify).\n\n" +
			"A license is identified by the SHA-256 of its text with all whitespace removed (`hash`): re-wrapped " +
			"lines or CRLF line ends are the same license, and changing only whitespace, or switching between " +
			"`license`, `license_wo` and `license_file` with the same content, updates the state without touching " +
			"the cluster. " +
			"Any other change of the text replaces the resource: by default Terraform removes the old license " +
			"first, then adds the new one; with `lifecycle { create_before_destroy = true }` the new license is " +
			"added and verified before the old one is removed, so a license MapR rejects never leaves the cluster " +
			"without its old one (recommended; MapR holds several licenses side by side). " +
			"If the license is already installed when the resource is created, it is adopted (a warning says so), " +
			"and destroying the resource removes it. A license removed outside Terraform is planned to be added " +
			"again.\n\n" +
			"The license must be issued for the cluster's id (`mapr_cluster.cluster_id`), or maprcli rejects it " +
			"with its own message, which the error shows.\n\n" +
			"Import id: `<host>:<license_id>`, where `license_id` is the `id` `maprcli license list -json` prints. " +
			"An imported license keeps the text the cluster holds in `license`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "`<host>:<license_id>`, the import id."},
			"host": schema.StringAttribute{Optional: true, Computed: true,
				Description: "Node (any node of the cluster) that runs maprcli. Defaults to the provider's `host`. " +
					"Changing the node replaces the resource."},
			"license": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "The license text (the `-----BEGIN SIGNED MESSAGE-----` block HPE issues). Exactly " +
					"one of `license`, `license_wo` and `license_file` must be set. Sensitive: hidden in plans, but " +
					"stored in the state like every attribute, so protect the state (or use `license_wo`)."},
			"license_wo": schema.StringAttribute{Optional: true, Sensitive: true, WriteOnly: true,
				Description: "The license text, write-only (Terraform 1.11 or later): it is never stored in the plan " +
					"or the state. Changes are still detected, through `hash`."},
			"license_file": schema.StringAttribute{Optional: true,
				Description: "Path of a file holding the license, on the machine running Terraform. It is read " +
					"at plan time (a changed content plans a replacement) and uploaded to `upload_dir` on the node " +
					"(mode 0600, removed after maprcli read it)."},
			"license_id": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "MapR's id of the license, from `maprcli license list -json`, kept as text."},
			"hash": schema.StringAttribute{Computed: true,
				Description: "SHA-256 (hex) of the license text with all whitespace removed: the license's " +
					"identity. A different hash replaces the resource."},
			"description": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "The license's description, as `maprcli license list` shows it."},
			"deletable": schema.BoolAttribute{Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
				Description: "Whether MapR allows removing the license (false for the base license, which " +
					"then cannot be destroyed)."},
			"grace": schema.BoolAttribute{Computed: true,
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.UseStateForUnknown()},
				Description:   "Whether the license is in its grace period, as `maprcli license list` reports it."},
		},
	}
}

func (r *licenseResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("license"), path.MatchRoot("license_wo"), path.MatchRoot("license_file")),
	}
}

func (r *licenseResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.pd = configureData(req, resp)
}

// licenseText returns the configured license text: license, license_wo
// (from the configuration: write-only values are not in the plan), or the
// content of license_file.
func licenseText(m licenseModel) (string, diag.Diagnostics) {
	var diags diag.Diagnostics
	text, at := m.License.ValueString(), path.Root("license")
	if !m.LicenseWO.IsNull() {
		text, at = m.LicenseWO.ValueString(), path.Root("license_wo")
	}
	if !m.LicenseFile.IsNull() {
		at = path.Root("license_file")
		b, err := os.ReadFile(expandHome(m.LicenseFile.ValueString()))
		if err != nil {
			diags.AddAttributeError(at, "Cannot read the license file", err.Error())
			return "", diags
		}
		text = string(b)
	}
	if strings.TrimSpace(text) == "" {
		diags.AddAttributeError(at, "Empty license", "The license text is empty.")
	}
	return text, diags
}

func (r *licenseResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy: the license is removed
	}
	planHost(ctx, r.pd, req, resp)
	var config licenseModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	hash := types.StringUnknown()
	if !config.License.IsUnknown() && !config.LicenseWO.IsUnknown() && !config.LicenseFile.IsUnknown() {
		text, diags := licenseText(config)
		resp.Diagnostics.Append(diags...)
		if resp.Diagnostics.HasError() {
			return
		}
		hash = types.StringValue(maprlib.LicenseHash(text))
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("hash"), hash)...)
	if req.State.Raw.IsNull() {
		return
	}
	var prior types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("hash"), &prior)...)
	if !hash.Equal(prior) {
		// Another license: MapR has no "update", and the old one must go.
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("hash"))
	}
}

func (r *licenseResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config licenseModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	text, diags := licenseText(config)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if hash := maprlib.LicenseHash(text); !plan.Hash.IsUnknown() && plan.Hash.ValueString() != hash {
		// license_file was rewritten between plan and apply.
		resp.Diagnostics.AddError("The license changed after the plan",
			fmt.Sprintf("The plan was made for the license with hash %s, the configuration now gives %s. Plan again.",
				plan.Hash.ValueString(), hash))
		return
	}
	x, diags := r.pd.connect(ctx, plan.Host.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer closeNode(x)
	spec := r.pd.licenseSpec()
	spec.Content = text
	res, err := maprlib.EnsureLicense(ctx, x, spec)
	if err != nil {
		resp.Diagnostics.AddError("Could not install the license through "+plan.Host.ValueString(), err.Error())
		return
	}
	if !res.Changed {
		resp.Diagnostics.AddWarning("The license was already installed",
			fmt.Sprintf("The cluster of %s already has this license (id %s). Terraform manages it from now on: "+
				"destroying the resource removes it from the cluster.", plan.Host.ValueString(), res.After.ID))
	}
	lic, found, diags := r.find(ctx, x, res.After.ID, res.After.SHA256)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		resp.Diagnostics.AddError("The license is not listed after adding it",
			fmt.Sprintf("maprcli license list on %s does not show license %s.", plan.Host.ValueString(), res.After.ID))
		return
	}
	fillLicense(&plan, lic)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// find lists the cluster's licenses and picks the one with the id, or
// with the identity hash.
func (r *licenseResource) find(ctx context.Context, x maprlib.Executor, id, hash string) (maprlib.License, bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	lics, err := maprlib.ListLicenses(ctx, x, r.pd.licenseSpec())
	if err != nil {
		diags.AddError("Could not list the cluster's licenses", err.Error())
		return maprlib.License{}, false, diags
	}
	for _, l := range lics {
		if id != "" && l.ID == id {
			return l, true, diags
		}
	}
	for _, l := range lics {
		if hash != "" && l.Text != "" && maprlib.LicenseHash(l.Text) == hash {
			return l, true, diags
		}
	}
	return maprlib.License{}, false, diags
}

// fillLicense copies what maprcli reports into the model.
func fillLicense(m *licenseModel, l maprlib.License) {
	m.LicenseID = types.StringValue(l.ID)
	m.ID = types.StringValue(m.Host.ValueString() + ":" + l.ID)
	m.Description = types.StringValue(l.Description)
	m.Deletable = types.BoolValue(l.Deletable)
	m.Grace = types.BoolValue(l.Grace)
	if l.Text != "" {
		m.Hash = types.StringValue(maprlib.LicenseHash(l.Text))
	}
}

func (r *licenseResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state licenseModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	x, diags := r.pd.connect(ctx, state.Host.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer closeNode(x)
	lic, found, diags := r.find(ctx, x, state.LicenseID.ValueString(), state.Hash.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !found {
		// Removed outside Terraform: the plan adds it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if state.Host.IsNull() {
		state.Host = types.StringValue(r.pd.host)
	}
	imported := state.Hash.IsNull() // ImportState sets only host and license_id
	fillLicense(&state, lic)
	if imported {
		// The text the cluster holds stands for the configuration.
		state.License = types.StringValue(lic.Text)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only records what changed in the configuration without changing
// the license itself (whitespace of the text, license vs license_file):
// any other change replaces the resource.
func (r *licenseResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan licenseModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *licenseResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state licenseModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	x, diags := r.pd.connect(ctx, state.Host.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer closeNode(x)
	spec := r.pd.licenseSpec()
	spec.State = maprlib.StateAbsent
	spec.ID = state.LicenseID.ValueString()
	if _, err := maprlib.EnsureLicense(ctx, x, spec); err != nil {
		resp.Diagnostics.AddError("Could not remove the license through "+state.Host.ValueString(), err.Error())
	}
}

// ImportState takes "<host>:<license_id>". License ids do not contain
// colons, so the last one separates them (an IPv6 host keeps its own).
func (r *licenseResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	i := strings.LastIndex(req.ID, ":")
	if i <= 0 || i == len(req.ID)-1 {
		resp.Diagnostics.AddError("Invalid import id",
			fmt.Sprintf("%q: expected <host>:<license_id>, e.g. node1.example.com:88aEvYonv5HqJgaFrGfsKis5puQ= "+
				"(the id maprcli license list -json shows).", req.ID))
		return
	}
	host := strings.TrimSuffix(strings.TrimPrefix(req.ID[:i], "["), "]")
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("license_id"), req.ID[i+1:])...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), host+":"+req.ID[i+1:])...)
}

package mapr

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	maprlib "github.com/gatewayd-toolkit/gatewayd/mapr"
)

var (
	_ resource.Resource                   = (*clusterResource)(nil)
	_ resource.ResourceWithConfigure      = (*clusterResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*clusterResource)(nil)
	_ resource.ResourceWithImportState    = (*clusterResource)(nil)
	_ resource.ResourceWithValidateConfig = (*clusterResource)(nil)
)

// NewClusterResource is mapr_cluster.
func NewClusterResource() resource.Resource { return &clusterResource{} }

type clusterResource struct {
	pd *providerData
}

type clusterModel struct {
	ID              types.String `tfsdk:"id"`
	Host            types.String `tfsdk:"host"`
	ClusterName     types.String `tfsdk:"cluster_name"`
	CLDBNodes       types.List   `tfsdk:"cldb_nodes"`
	ZKNodes         types.List   `tfsdk:"zk_nodes"`
	Secure          types.Bool   `tfsdk:"secure"`
	GenKeys         types.Bool   `tfsdk:"genkeys"`
	NoAutostart     types.Bool   `tfsdk:"no_autostart"`
	ExtraArgs       types.List   `tfsdk:"extra_args"`
	ForceRegenerate types.Bool   `tfsdk:"force_regenerate"`
	ClusterID       types.String `tfsdk:"cluster_id"`
	BackupDir       types.String `tfsdk:"backup_dir"`
}

// What mapr-clusters.conf accepts as a cluster name and as a node entry
// (host, host:port, host;ip:port); the library validates the same.
var (
	clusterNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	nodeAddrRE    = regexp.MustCompile(`^[A-Za-z0-9._\[\]:;-]+$`)
)

func (r *clusterResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster"
}

func (r *clusterResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	keep := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	nodes := []validator.List{
		listvalidator.SizeAtLeast(1),
		listvalidator.ValueStringsAre(stringvalidator.RegexMatches(nodeAddrRE, "must be host, host:port or host;ip:port")),
	}
	resp.Schema = schema.Schema{
		Description: "The cluster identity of one MapR node: the cluster it belongs to, as `configure.sh -N -C -Z` " +
			"writes it into `mapr-clusters.conf`, `warden.conf` and (once CLDB starts) `clusterid`.\n\n" +
			"**Creating** the resource reads the node's files first. A node without them is configured with " +
			"`configure.sh -N <cluster_name> -C <cldb_nodes> -Z <zk_nodes>` (with `-secure` or `-unsecure`, and " +
			"`-genkeys`, `-no-autostart` and `extra_args` when set) and `cluster_id` reports the generated id. A node " +
			"already configured the same way (same name, same CLDB nodes in any order, same ZooKeeper nodes in the " +
			"same order, same security) is adopted unchanged.\n\n" +
			"**Changing `cluster_name`, `cldb_nodes`, `zk_nodes` or `secure` plans a replacement, and that apply FAILS** " +
			"with an explanation, changing nothing on the node: regenerating the identity of a cluster that holds " +
			"data can make that data unreachable. The plan warns about it. Only with `force_regenerate = true` does " +
			"the apply go ahead: it stops warden, MOVES (never deletes) `clusterid`, `mapr-clusters.conf` (and, " +
			"with `genkeys`, the security files) into a new timestamped directory beside `conf_dir` (reported in " +
			"`backup_dir`), runs configure.sh again and reports the new `cluster_id`. Set `force_regenerate` for " +
			"that one apply and remove it afterwards. After a refused apply the resource is no longer in the state " +
			"(its destroy half only removed it, see below): the next plan proposes to create it, and reverting the " +
			"configuration adopts the node unchanged.\n\n" +
			"The refresh reads the node's files: a node reconfigured outside Terraform shows up as a planned " +
			"replacement (refused as above); a node whose files are gone is planned to be configured again.\n\n" +
			"**Destroying the resource only removes it from the Terraform state.** It never stops, wipes or " +
			"reconfigures anything on the node; plan and apply say so in a warning.\n\n" +
			"Import id: the node's `host`. The import reads `clusterid`, `mapr-clusters.conf` and `warden.conf`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "The node's host, the import id."},
			"host": schema.StringAttribute{Optional: true, Computed: true,
				Description: "The node to configure. Defaults to the provider's `host`. Changing the node replaces " +
					"the resource (configuring the new node; the old one is left as it is)."},
			"cluster_name": schema.StringAttribute{Required: true,
				Validators: []validator.String{stringvalidator.RegexMatches(clusterNameRE,
					"must start with a letter or digit and contain only letters, digits, '.', '_' and '-'")},
				Description: "Cluster name (`configure.sh -N`), the first field of `mapr-clusters.conf`. Changing " +
					"it plans a replacement that is refused unless `force_regenerate = true`."},
			"cldb_nodes": schema.ListAttribute{Required: true, ElementType: types.StringType, Validators: nodes,
				Description: "CLDB nodes (`-C`): `host`, `host:port` or `host;ip:port`; the CLDB port defaults to " +
					maprlib.DefaultCLDBPort + ". Compared as a set with ports filled in, so reordering them or " +
					"writing the default port changes nothing on the node. Another set of nodes plans a " +
					"replacement that is refused unless `force_regenerate = true`."},
			"zk_nodes": schema.ListAttribute{Required: true, ElementType: types.StringType, Validators: nodes,
				Description: "ZooKeeper nodes (`-Z`), the ZooKeeper port defaulting to " + maprlib.DefaultZKPort +
					". Their order matters: MapR requires the same `-Z` order on every node, or ZooKeeper's leader " +
					"election fails. Another list or order plans a replacement that is refused unless " +
					"`force_regenerate = true`."},
			"secure": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Configure a secure cluster (`-secure`; otherwise `-unsecure`, always explicit because " +
					"MapR 7 defaults to secure). Changing it plans a replacement that is refused unless " +
					"`force_regenerate = true`. Defaults to `false`."},
			"genkeys": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Generate the cluster's keys and certificates (`-genkeys`, requires `secure`): on the " +
					"first CLDB node only; the other nodes receive copies of its files. Refused when the node " +
					"already holds security files. Used only when configure.sh runs; changing it later changes " +
					"nothing on the node. Defaults to `false`."},
			"no_autostart": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Do not start warden after configuring (`-no-autostart`). MapR writes `clusterid` when " +
					"CLDB first starts, so `cluster_id` stays null until then. Used only when configure.sh runs. " +
					"Defaults to `false`."},
			"extra_args": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Description: "Further configure.sh arguments, each passed as one word (no shell), for example " +
					"`[\"-u\", \"mapr\", \"-g\", \"mapr\"]`. The options this resource sets itself (`-N`, `-C`, `-Z`, " +
					"`-secure`, `-unsecure`, `-genkeys`, `-no-autostart`, `-R`) are refused here. Used only when " +
					"configure.sh runs."},
			"force_regenerate": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				Description: "Allow replacing the identity of a node that belongs to a different cluster than " +
					"configured: warden is stopped, the current files are moved (not deleted) to `backup_dir`, and " +
					"configure.sh generates a new `cluster_id`. DANGEROUS on a cluster holding data. Without it " +
					"such an apply fails and nothing changes. Defaults to `false`."},
			"cluster_id": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "The cluster id from `clusterid`: 19 digits, as text (it does not fit a float). Null " +
					"while CLDB has not written it yet (`no_autostart`). HPE issues licenses for this id."},
			"backup_dir": schema.StringAttribute{Computed: true, PlanModifiers: keep,
				Description: "Where a forced regeneration moved the previous files (with the old `clusterid`); null " +
					"when the identity was never regenerated by this resource."},
		},
	}
}

func (r *clusterResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.pd = configureData(req, resp)
}

// listStrings returns a list's elements; ok is false when the list or an
// element is unknown.
func listStrings(ctx context.Context, l types.List) ([]string, bool, diag.Diagnostics) {
	if l.IsUnknown() {
		return nil, false, nil
	}
	if l.IsNull() {
		return nil, true, nil
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return nil, false, nil
		}
	}
	var out []string
	diags := l.ElementsAs(ctx, &out, false)
	return out, !diags.HasError(), diags
}

// spec is the library's ClusterSpec for a configuration or plan; ok is
// false when a value is not known yet.
func (r *clusterResource) spec(ctx context.Context, m clusterModel) (maprlib.ClusterSpec, bool, diag.Diagnostics) {
	var spec maprlib.ClusterSpec
	if r.pd != nil {
		spec = r.pd.clusterSpec()
	}
	var diags diag.Diagnostics
	known := !m.ClusterName.IsUnknown() && !m.Secure.IsUnknown() && !m.GenKeys.IsUnknown() &&
		!m.NoAutostart.IsUnknown() && !m.ForceRegenerate.IsUnknown()
	for _, l := range []struct {
		list types.List
		into *[]string
	}{{m.CLDBNodes, &spec.CLDBNodes}, {m.ZKNodes, &spec.ZKNodes}, {m.ExtraArgs, &spec.ExtraArgs}} {
		v, ok, d := listStrings(ctx, l.list)
		diags.Append(d...)
		known = known && ok
		*l.into = v
	}
	spec.Name = m.ClusterName.ValueString()
	spec.Secure = m.Secure.ValueBool()
	spec.GenKeys = m.GenKeys.ValueBool()
	spec.NoAutostart = m.NoAutostart.ValueBool()
	spec.ForceRegenerate = m.ForceRegenerate.ValueBool()
	return spec, known, diags
}

// ValidateConfig applies the library's own checks at plan time (genkeys
// without secure, extra_args that repeat managed options, ...).
func (r *clusterResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m clusterModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Defaults are not applied to the configuration yet.
	for _, b := range []*types.Bool{&m.Secure, &m.GenKeys, &m.NoAutostart, &m.ForceRegenerate} {
		if b.IsNull() {
			*b = types.BoolValue(false)
		}
	}
	spec, known, diags := r.spec(ctx, m)
	resp.Diagnostics.Append(diags...)
	if !known || resp.Diagnostics.HasError() {
		return
	}
	if err := spec.Validate(); err != nil {
		resp.Diagnostics.AddError("Invalid mapr_cluster configuration", err.Error())
	}
}

func (r *clusterResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		if !req.State.Raw.IsNull() {
			var host types.String
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("host"), &host)...)
			resp.Diagnostics.AddWarning("Destroying mapr_cluster leaves the node as it is",
				fmt.Sprintf("The mapr_cluster of %s will only be removed from the Terraform state. Its clusterid, "+
					"mapr-clusters.conf and warden.conf stay, and the cluster keeps running: the mapr provider never "+
					"wipes a cluster identity.", host.ValueString()))
		}
		return
	}
	planHost(ctx, r.pd, req, resp)
	if req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var plan, prior clusterModel
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var changes []string
	replace := func(attr, what string) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root(attr))
		changes = append(changes, what)
	}
	if !plan.ClusterName.Equal(prior.ClusterName) {
		replace("cluster_name", fmt.Sprintf("cluster_name %s -> %s", prior.ClusterName, plan.ClusterName))
	}
	if !plan.Secure.Equal(prior.Secure) {
		replace("secure", fmt.Sprintf("secure %s -> %s", prior.Secure, plan.Secure))
	}
	for _, n := range []struct {
		attr, port string
		ordered    bool
		plan, prev types.List
	}{
		{"cldb_nodes", maprlib.DefaultCLDBPort, false, plan.CLDBNodes, prior.CLDBNodes},
		{"zk_nodes", maprlib.DefaultZKPort, true, plan.ZKNodes, prior.ZKNodes},
	} {
		want, wantKnown, d := listStrings(ctx, n.plan)
		resp.Diagnostics.Append(d...)
		had, _, d := listStrings(ctx, n.prev)
		resp.Diagnostics.Append(d...)
		if n.prev.IsNull() {
			continue // not readable from the node (no warden.conf): not compared, as the library does
		}
		if !wantKnown || !sameNodes(want, had, n.port, n.ordered) {
			replace(n.attr, fmt.Sprintf("%s [%s] -> [%s]", n.attr, strings.Join(had, ","), strings.Join(want, ",")))
		}
	}
	if len(changes) == 0 {
		return
	}
	host := plan.Host.ValueString()
	if plan.ForceRegenerate.ValueBool() {
		resp.Diagnostics.AddWarning("force_regenerate = true: this apply REGENERATES the cluster identity of "+host,
			fmt.Sprintf("Changed: %s. If %s still belongs to cluster %s (id %s), the apply stops warden, moves "+
				"clusterid and mapr-clusters.conf into a new backup directory beside the conf directory and runs "+
				"configure.sh again, which generates a new cluster id. Data of the old cluster can become unreachable, "+
				"and licenses are bound to the old id. Remove force_regenerate after this apply.",
				strings.Join(changes, "; "), host, prior.ClusterName, idOrPending(prior.ClusterID)))
		return
	}
	resp.Diagnostics.AddWarning("This replacement of mapr_cluster will be refused",
		fmt.Sprintf("Changed: %s. %s belongs to cluster %s (id %s); the apply will not reconfigure it for another "+
			"cluster and fails with an explanation, changing nothing on the node (only the state forgets the old "+
			"identity). Revert the change, or set force_regenerate = true if the node's cluster identity really must "+
			"be regenerated.", strings.Join(changes, "; "), host, prior.ClusterName, idOrPending(prior.ClusterID)))
}

func idOrPending(id types.String) string {
	if id.IsNull() || id.IsUnknown() || id.ValueString() == "" {
		return "not yet generated"
	}
	return id.ValueString()
}

func (r *clusterResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	res, ok := r.ensure(ctx, plan, plan.ForceRegenerate.ValueBool(), &resp.Diagnostics)
	if !ok {
		return
	}
	plan.ID = plan.Host
	plan.ClusterID = nullIfEmpty(res.After.ID)
	plan.BackupDir = nullIfEmpty(res.BackupDir)
	if res.BackupDir != "" {
		resp.Diagnostics.AddWarning("Regenerated the cluster identity of "+plan.Host.ValueString(),
			strings.Join(res.Messages, "\n")+"\n\nThe previous files are in "+res.BackupDir+
				". Set force_regenerate back to false.")
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// ensure runs EnsureCluster for the plan; ok is false after an error
// (added to diags).
func (r *clusterResource) ensure(ctx context.Context, plan clusterModel, force bool, diags *diag.Diagnostics) (maprlib.ClusterResult, bool) {
	spec, known, d := r.spec(ctx, plan)
	diags.Append(d...)
	if diags.HasError() {
		return maprlib.ClusterResult{}, false
	}
	if !known {
		diags.AddError("Unknown configuration at apply", "A mapr_cluster value is still unknown at apply.")
		return maprlib.ClusterResult{}, false
	}
	spec.ForceRegenerate = force
	host := plan.Host.ValueString()
	x, d := r.pd.connect(ctx, host)
	diags.Append(d...)
	if diags.HasError() {
		return maprlib.ClusterResult{}, false
	}
	defer closeNode(x)
	res, err := maprlib.EnsureCluster(ctx, x, spec)
	if err != nil {
		var mismatch *maprlib.ClusterMismatchError
		if errors.As(err, &mismatch) {
			diags.AddError(fmt.Sprintf("%s already belongs to cluster %q (id %s): refusing to regenerate it", host,
				mismatch.Current.Name, idOrPending(nullIfEmpty(mismatch.Current.ID))), err.Error())
		} else {
			diags.AddError("Could not configure the cluster identity of "+host, err.Error())
		}
		return res, false
	}
	return res, true
}

func (r *clusterResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state clusterModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if state.Host.IsNull() {
		state.Host = types.StringValue(r.pd.host)
	}
	x, diags := r.pd.connect(ctx, state.Host.ValueString())
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	defer closeNode(x)
	st, err := maprlib.ReadCluster(ctx, x, r.pd.clusterSpec())
	if err != nil {
		resp.Diagnostics.AddError("Could not read the cluster identity of "+state.Host.ValueString(), err.Error())
		return
	}
	if !st.Present {
		// No cluster files (any more): the plan configures the node again.
		resp.State.RemoveResource(ctx)
		return
	}
	state.ID = state.Host
	state.ClusterID = nullIfEmpty(st.ID)
	if st.Name != "" {
		state.ClusterName = types.StringValue(st.Name)
	}
	state.Secure = types.BoolValue(st.Secure)
	resp.Diagnostics.Append(readNodes(ctx, &state.CLDBNodes, st.CLDBNodes, maprlib.DefaultCLDBPort, false)...)
	resp.Diagnostics.Append(readNodes(ctx, &state.ZKNodes, st.ZKNodes, maprlib.DefaultZKPort, true)...)
	for _, b := range []*types.Bool{&state.GenKeys, &state.NoAutostart, &state.ForceRegenerate} {
		if b.IsNull() {
			*b = types.BoolValue(false) // imported: the defaults
		}
	}
	if state.ExtraArgs.IsNull() {
		state.ExtraArgs = types.ListNull(types.StringType)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// readNodes updates a node list from what the node's files say, keeping
// the list as written when it means the same nodes (default ports, CLDB
// order). A list first read from the node (import) omits default ports,
// as configuration usually does.
func readNodes(ctx context.Context, into *types.List, current []string, port string, ordered bool) diag.Diagnostics {
	if current == nil {
		return nil // not recorded on the node: keep what the state says
	}
	prior, _, diags := listStrings(ctx, *into)
	if !into.IsNull() && sameNodes(prior, current, port, ordered) {
		return diags
	}
	out := make([]attr.Value, len(current))
	for i, n := range current {
		out[i] = types.StringValue(withoutDefaultPort(n, port))
	}
	l, d := types.ListValue(types.StringType, out)
	diags.Append(d...)
	*into = l
	return diags
}

func (r *clusterResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan clusterModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Identity changes are replacements; an update never regenerates. It
	// still verifies that the node is configured as planned.
	res, ok := r.ensure(ctx, plan, false, &resp.Diagnostics)
	if !ok {
		return
	}
	if plan.ClusterID.IsUnknown() {
		plan.ClusterID = nullIfEmpty(res.After.ID)
	}
	if plan.BackupDir.IsUnknown() {
		plan.BackupDir = types.StringNull()
	}
	if plan.ID.IsUnknown() {
		plan.ID = plan.Host
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Delete forgets the resource. It deliberately leaves the node alone:
// removing a cluster identity is never what "stop managing it" means.
func (r *clusterResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var host types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("host"), &host)...)
	resp.Diagnostics.AddWarning("mapr_cluster removed from the state only",
		fmt.Sprintf("Nothing on %s was changed: its clusterid, mapr-clusters.conf and warden.conf stay as they are "+
			"and the cluster keeps running. The mapr provider never wipes a cluster identity; decommission a node "+
			"with MapR's own procedure.", host.ValueString()))
}

// ImportState takes the node's host; the refresh reads its files.
func (r *clusterResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	host := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(req.ID), "["), "]")
	if host == "" {
		resp.Diagnostics.AddError("Invalid import id", "Expected the node's host, e.g. node1.example.com.")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"), host)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), host)...)
}

// sameNodes compares node lists as configure.sh writes them: default
// ports filled in; CLDB nodes as a set, ZooKeeper nodes in order.
func sameNodes(a, b []string, port string, ordered bool) bool {
	a, b = withDefaultPorts(a, port), withDefaultPorts(b, port)
	if !ordered {
		slices.Sort(a)
		slices.Sort(b)
		a, b = slices.Compact(a), slices.Compact(b)
	}
	return slices.Equal(a, b)
}

func withDefaultPorts(nodes []string, port string) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		n = strings.TrimSpace(n)
		if !hasPort(n) {
			n += ":" + port
		}
		out[i] = n
	}
	return out
}

func withoutDefaultPort(n, port string) string {
	if hasPort(n) && strings.HasSuffix(n, ":"+port) {
		return strings.TrimSuffix(n, ":"+port)
	}
	return n
}

// hasPort reports whether a node entry (host, host:port, host;ip:port,
// [v6]:port) names a port, by the library's rules.
func hasPort(n string) bool {
	if _, addr, ok := strings.Cut(n, ";"); ok {
		n = addr
	}
	if strings.HasPrefix(n, "[") {
		return strings.Contains(n, "]:")
	}
	return strings.Count(n, ":") == 1
}

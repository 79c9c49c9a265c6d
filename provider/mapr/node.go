package mapr

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	maprlib "github.com/gatewayd-toolkit/gatewayd/mapr"
)

// connect dials the node over SSH with the provider's settings. The caller
// closes the executor when its operation is done.
func (pd *providerData) connect(ctx context.Context, host string) (maprlib.Executor, diag.Diagnostics) {
	var diags diag.Diagnostics
	if host == "" {
		host = pd.host
	}
	if host == "" {
		diags.AddError("No node to connect to",
			"Neither the resource nor the provider sets host: set host in the provider block, or on the resource.")
		return nil, diags
	}
	cfg := pd.ssh
	cfg.Host = host
	x, err := maprlib.DialSSH(ctx, cfg)
	if err != nil {
		var hk *maprlib.HostKeyError
		if errors.As(err, &hk) {
			what := "is unknown"
			switch {
			case hk.Revoked:
				what = "is revoked"
			case hk.Changed():
				what = "has CHANGED"
			}
			diags.AddError(fmt.Sprintf("SSH host key of %s %s: %s %s refused", hk.Host, what, hk.KeyType, hk.Fingerprint),
				err.Error())
			return nil, diags
		}
		diags.AddError("Cannot connect to MapR node "+host, err.Error())
		return nil, diags
	}
	return x, diags
}

// licenseSpec is the part of a LicenseSpec the provider settings decide.
func (pd *providerData) licenseSpec() maprlib.LicenseSpec {
	return maprlib.LicenseSpec{MaprcliPath: pd.maprcli, UploadDir: pd.uploadDir, Env: pd.env, Become: pd.become,
		CommandTimeout: pd.timeout}
}

// clusterSpec is the part of a ClusterSpec the provider settings decide.
func (pd *providerData) clusterSpec() maprlib.ClusterSpec {
	return maprlib.ClusterSpec{ConfDir: pd.confDir, ConfigureSh: pd.configureSh, StopWarden: pd.wardenStop,
		Env: pd.env, Become: pd.become, CommandTimeout: pd.timeout}
}

// configureData hands the provider's data to a resource.
func configureData(req resource.ConfigureRequest, resp *resource.ConfigureResponse) *providerData {
	if req.ProviderData == nil {
		return nil // the provider is not configured yet (validation)
	}
	pd, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("got %T", req.ProviderData))
	}
	return pd
}

// planHost plans the node a resource acts on: its own host, else the
// provider's. A different node is a different object, so a change of the
// effective host (also through the provider's host) replaces the resource.
func planHost(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var configured, prior types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("host"), &configured)...)
	if resp.Diagnostics.HasError() {
		return
	}
	planned := configured
	if configured.IsNull() {
		switch {
		case pd == nil:
			planned = types.StringUnknown()
		case pd.host == "":
			resp.Diagnostics.AddAttributeError(path.Root("host"), "No node to connect to",
				"Neither the resource nor the provider sets host: set host in the provider block, or on the resource.")
			return
		default:
			planned = types.StringValue(pd.host)
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("host"), planned)...)
	if req.State.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("host"), &prior)...)
	if !planned.Equal(prior) {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("host"))
	}
}

// expandHome resolves a leading "~/" to the home directory of the user
// running Terraform, as OpenSSH does for its file options.
func expandHome(p string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return p
	}
	return filepath.Join(home, strings.TrimPrefix(p, "~"))
}

// parseDuration reads a positive Go duration setting, or its default.
func parseDuration(diags *diag.Diagnostics, name, value, def string) time.Duration {
	if value == "" {
		value = def
	}
	d, err := time.ParseDuration(value)
	if err != nil || d <= 0 {
		diags.AddAttributeError(path.Root(name), "Invalid "+name,
			fmt.Sprintf("%q is not a positive Go duration such as 90s or 15m.", value))
	}
	return d
}

// closeNode closes an executor; closing errors after a finished
// operation change nothing for Terraform.
func closeNode(x maprlib.Executor) {
	if x != nil {
		_ = x.Close()
	}
}

// nullIfEmpty maps the library's "" (not known) to null.
func nullIfEmpty(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

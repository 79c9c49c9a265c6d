// Package mapr is the Terraform provider "mapr": it installs MapR (HPE
// Ezmeral Data Fabric) licenses and bootstraps a node's cluster identity
// over SSH. All node work is done by the mapr library (package
// github.com/gatewayd-toolkit/gatewayd/mapr), which the Ansible modules
// mapr_license and mapr_cluster share; the provider only maps attributes
// onto its specs and its results onto state and diagnostics.
package mapr

import (
	"context"
	"fmt"
	"os/user"
	"path"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/providervalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	fwpath "github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	maprlib "github.com/gatewayd-toolkit/gatewayd/mapr"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/gatewayd-toolkit/mapr"

// Defaults of the provider settings that are not the library's.
const (
	defaultPort           = 22
	defaultTimeout        = "10m"
	defaultConnectTimeout = "30s"
)

// defaultWardenStop is how warden is stopped before a forced regeneration
// (the library's default, spelled out for the documentation).
var defaultWardenStop = []string{"service", "mapr-warden", "stop"}

var (
	_ provider.Provider                     = (*maprProvider)(nil)
	_ provider.ProviderWithConfigValidators = (*maprProvider)(nil)
)

type maprProvider struct {
	version string
}

// New returns a constructor of the provider, for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &maprProvider{version: version} }
}

type providerModel struct {
	Host                  types.String `tfsdk:"host"`
	Port                  types.Int64  `tfsdk:"port"`
	User                  types.String `tfsdk:"user"`
	PrivateKey            types.String `tfsdk:"private_key"`
	PrivateKeyFile        types.String `tfsdk:"private_key_file"`
	PrivateKeyPassphrase  types.String `tfsdk:"private_key_passphrase"`
	Password              types.String `tfsdk:"password"`
	UseAgent              types.Bool   `tfsdk:"use_agent"`
	KnownHostsFile        types.String `tfsdk:"known_hosts_file"`
	InsecureIgnoreHostKey types.Bool   `tfsdk:"insecure_ignore_host_key"`
	Sudo                  types.Bool   `tfsdk:"sudo"`
	SudoUser              types.String `tfsdk:"sudo_user"`
	Timeout               types.String `tfsdk:"timeout"`
	ConnectTimeout        types.String `tfsdk:"connect_timeout"`
	MaprcliPath           types.String `tfsdk:"maprcli_path"`
	ConfigureShPath       types.String `tfsdk:"configure_sh_path"`
	ConfDir               types.String `tfsdk:"conf_dir"`
	UploadDir             types.String `tfsdk:"upload_dir"`
	WardenStopCommand     types.List   `tfsdk:"warden_stop_command"`
	Env                   types.Map    `tfsdk:"env"`
}

func (p *maprProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mapr"
	resp.Version = p.version
}

func (p *maprProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Bootstraps MapR (HPE Ezmeral Data Fabric) nodes over SSH: installs cluster licenses " +
			"(`mapr_license`) and gives a node its cluster identity with `configure.sh` (`mapr_cluster`), " +
			"idempotently and without ever regenerating an existing cluster id silently. Host keys are verified " +
			"against a known_hosts file.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{Optional: true,
				Description: "The node to connect to (name or address). A resource's own `host` overrides it: a " +
					"cluster has many nodes, and one provider configuration can serve all of them."},
			"port": schema.Int64Attribute{Optional: true,
				Validators:  []validator.Int64{int64validator.Between(1, 65535)},
				Description: fmt.Sprintf("SSH port. Defaults to `%d`.", defaultPort)},
			"user": schema.StringAttribute{Optional: true,
				Description: "SSH user. Defaults to the user running Terraform, as `ssh` does."},
			"private_key": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "Private key for public-key authentication, PEM or OpenSSH format (for example " +
					"`file(\"~/.ssh/id_ed25519\")`). Conflicts with `private_key_file`."},
			"private_key_file": schema.StringAttribute{Optional: true,
				Description: "Path of the private key file, on the machine running Terraform. A leading `~/` is " +
					"the home directory. Conflicts with `private_key`."},
			"private_key_passphrase": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "Passphrase of an encrypted private key."},
			"password": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "Password authentication (also answered to keyboard-interactive prompts). " +
					"Prefer keys."},
			"use_agent": schema.BoolAttribute{Optional: true,
				Description: "Authenticate with the ssh-agent at `SSH_AUTH_SOCK` as well. The agent is also used " +
					"when no key and no password are set."},
			"known_hosts_file": schema.StringAttribute{Optional: true,
				Description: "OpenSSH known_hosts file the node's host key must be listed in, for example " +
					"`~/.ssh/known_hosts`. **Required** unless `insecure_ignore_host_key = true`. An unknown host or " +
					"a changed key is refused, naming the host and the SHA256 fingerprint the server presented; " +
					"verify that fingerprint out of band before adding it (`ssh-keyscan -p PORT HOST`)."},
			"insecure_ignore_host_key": schema.BoolAttribute{Optional: true,
				Description: "Accept **any** host key. DANGEROUS: whoever can intercept the connection receives " +
					"the credentials and the license and can answer as the node. For throwaway lab hosts only; " +
					"every plan and apply shows a warning while it is set. Conflicts with `known_hosts_file`."},
			"sudo": schema.BoolAttribute{Optional: true,
				Description: "Run maprcli and configure.sh, and read the node's MapR files, through `sudo -n` " +
					"(which fails instead of prompting for a password). `/opt/mapr/conf/clusterid` is readable " +
					"by its owner only and configure.sh must run as root."},
			"sudo_user": schema.StringAttribute{Optional: true,
				Description: "User to become with sudo (`sudo -u`); empty means root."},
			"timeout": schema.StringAttribute{Optional: true,
				Description: "Time limit of each command run on the node, as a Go duration (`90s`, `15m`). " +
					"configure.sh on a loaded node takes minutes; a hung maprcli (CLDB unreachable) is stopped " +
					"after this. Defaults to `" + defaultTimeout + "`."},
			"connect_timeout": schema.StringAttribute{Optional: true,
				Description: "Time limit of the TCP connection and SSH handshake. Defaults to `" + defaultConnectTimeout + "`."},
			"maprcli_path": schema.StringAttribute{Optional: true,
				Description: "Absolute path of maprcli on the node. Defaults to `" + maprlib.DefaultMaprcli + "`."},
			"configure_sh_path": schema.StringAttribute{Optional: true,
				Description: "Absolute path of configure.sh on the node. Defaults to `" + maprlib.DefaultConfigureSh + "`."},
			"conf_dir": schema.StringAttribute{Optional: true,
				Description: "MapR's configuration directory on the node, holding `clusterid`, " +
					"`mapr-clusters.conf` and `warden.conf`. Defaults to `" + maprlib.DefaultConfDir + "`."},
			"upload_dir": schema.StringAttribute{Optional: true,
				Description: "Directory on the node that receives a license file while maprcli reads it (mode " +
					"0600, removed afterwards). Defaults to `" + maprlib.DefaultUploadDir + "`."},
			"warden_stop_command": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				Validators: []validator.List{listvalidator.SizeAtLeast(1)},
				Description: "Command (program and arguments, run without a shell) that stops warden before a " +
					"forced regeneration of the cluster identity. Defaults to `[\"" +
					strings.Join(defaultWardenStop, "\", \"") + "\"]`; use `[\"systemctl\", \"stop\", \"mapr-warden\"]` " +
					"on systemd-only nodes."},
			"env": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				Description: "Environment variables for maprcli and configure.sh, for example " +
					"`MAPR_TICKETFILE_LOCATION` on a secure cluster. They are set with env(1) after sudo, because " +
					"sshd and sudo drop the client's environment."},
		},
	}
}

func (p *maprProvider) ConfigValidators(context.Context) []provider.ConfigValidator {
	return []provider.ConfigValidator{
		providervalidator.Conflicting(fwpath.MatchRoot("private_key"), fwpath.MatchRoot("private_key_file")),
	}
}

// providerData is what resources receive: how to reach and drive nodes.
// Every operation dials its own connection and closes it, so nothing
// outlives the Terraform command.
type providerData struct {
	host string // may be empty: then every resource sets its own
	ssh  maprlib.SSHConfig

	become      maprlib.Become
	env         map[string]string
	maprcli     string
	configureSh string
	confDir     string
	uploadDir   string
	wardenStop  []string
	timeout     time.Duration
}

func (p *maprProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unknown := map[string]bool{
		"host": m.Host.IsUnknown(), "port": m.Port.IsUnknown(), "user": m.User.IsUnknown(),
		"private_key": m.PrivateKey.IsUnknown(), "private_key_file": m.PrivateKeyFile.IsUnknown(),
		"private_key_passphrase": m.PrivateKeyPassphrase.IsUnknown(), "password": m.Password.IsUnknown(),
		"use_agent": m.UseAgent.IsUnknown(), "known_hosts_file": m.KnownHostsFile.IsUnknown(),
		"insecure_ignore_host_key": m.InsecureIgnoreHostKey.IsUnknown(), "sudo": m.Sudo.IsUnknown(),
		"sudo_user": m.SudoUser.IsUnknown(), "timeout": m.Timeout.IsUnknown(),
		"connect_timeout": m.ConnectTimeout.IsUnknown(), "maprcli_path": m.MaprcliPath.IsUnknown(),
		"configure_sh_path": m.ConfigureShPath.IsUnknown(), "conf_dir": m.ConfDir.IsUnknown(),
		"upload_dir": m.UploadDir.IsUnknown(), "warden_stop_command": m.WardenStopCommand.IsUnknown(),
		"env": m.Env.IsUnknown(),
	}
	for name, u := range unknown {
		if u {
			resp.Diagnostics.AddAttributeError(fwpath.Root(name), "Unknown provider configuration",
				"The mapr provider can not be configured with a value known only after apply: "+name+". "+
					"Set it to a literal or a variable; a node address created in the same run belongs in the "+
					"resources' own host attribute, which may be unknown until apply.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	pd := &providerData{
		host: m.Host.ValueString(),
		ssh: maprlib.SSHConfig{
			Port:                  defaultPort,
			User:                  m.User.ValueString(),
			KnownHostsFile:        expandHome(m.KnownHostsFile.ValueString()),
			InsecureIgnoreHostKey: m.InsecureIgnoreHostKey.ValueBool(),
			PrivateKey:            []byte(m.PrivateKey.ValueString()),
			PrivateKeyFile:        expandHome(m.PrivateKeyFile.ValueString()),
			Passphrase:            m.PrivateKeyPassphrase.ValueString(),
			UseAgent:              m.UseAgent.ValueBool(),
			Password:              m.Password.ValueString(),
		},
		become:      maprlib.Become{Sudo: m.Sudo.ValueBool(), SudoUser: m.SudoUser.ValueString()},
		maprcli:     m.MaprcliPath.ValueString(),
		configureSh: m.ConfigureShPath.ValueString(),
		confDir:     m.ConfDir.ValueString(),
		uploadDir:   m.UploadDir.ValueString(),
	}
	if len(pd.ssh.PrivateKey) == 0 {
		pd.ssh.PrivateKey = nil
	}
	if !m.Port.IsNull() {
		pd.ssh.Port = int(m.Port.ValueInt64())
	}
	if pd.ssh.User == "" {
		u, err := user.Current()
		if err != nil {
			resp.Diagnostics.AddAttributeError(fwpath.Root("user"), "No SSH user",
				fmt.Sprintf("user is not set and the user running Terraform could not be determined: %v", err))
		} else {
			pd.ssh.User = u.Username
		}
	}
	if pd.become.SudoUser != "" && !pd.become.Sudo {
		resp.Diagnostics.AddAttributeError(fwpath.Root("sudo_user"), "sudo_user without sudo",
			"sudo_user names the user sudo becomes; set sudo = true as well.")
	}

	switch {
	case pd.ssh.InsecureIgnoreHostKey && pd.ssh.KnownHostsFile != "":
		resp.Diagnostics.AddAttributeError(fwpath.Root("insecure_ignore_host_key"), "Conflicting host key settings",
			"known_hosts_file and insecure_ignore_host_key = true exclude each other: keep known_hosts_file.")
	case pd.ssh.InsecureIgnoreHostKey:
		resp.Diagnostics.AddAttributeWarning(fwpath.Root("insecure_ignore_host_key"),
			"SSH HOST KEY VERIFICATION IS DISABLED",
			"insecure_ignore_host_key = true: the mapr provider accepts ANY host key. Whoever can intercept the "+
				"connection (DNS, ARP, a compromised router) receives the SSH credentials and the license, and can "+
				"pretend to be the node. Use this for throwaway lab hosts only; set known_hosts_file instead.")
	case pd.ssh.KnownHostsFile == "":
		resp.Diagnostics.AddAttributeError(fwpath.Root("known_hosts_file"), "known_hosts_file is required",
			"The mapr provider verifies every node's SSH host key against a known_hosts file, so that the "+
				"credentials and the license go to the node and not to an impostor. Set known_hosts_file (for "+
				"example \"~/.ssh/known_hosts\") to a file that lists the nodes; add a node after checking its "+
				"fingerprint out of band (ssh-keyscan -p PORT HOST). Only for throwaway lab hosts: "+
				"insecure_ignore_host_key = true.")
	}

	pd.timeout = parseDuration(&resp.Diagnostics, "timeout", m.Timeout.ValueString(), defaultTimeout)
	pd.ssh.ConnectTimeout = parseDuration(&resp.Diagnostics, "connect_timeout", m.ConnectTimeout.ValueString(), defaultConnectTimeout)
	pd.ssh.CommandTimeout = pd.timeout

	for name, v := range map[string]string{"maprcli_path": pd.maprcli, "configure_sh_path": pd.configureSh,
		"conf_dir": pd.confDir, "upload_dir": pd.uploadDir} {
		if v != "" && !path.IsAbs(v) {
			resp.Diagnostics.AddAttributeError(fwpath.Root(name), "Path on the node must be absolute",
				fmt.Sprintf("%s = %q: give an absolute path on the node.", name, v))
		}
	}
	if !m.WardenStopCommand.IsNull() {
		resp.Diagnostics.Append(m.WardenStopCommand.ElementsAs(ctx, &pd.wardenStop, false)...)
	}
	if !m.Env.IsNull() {
		pd.env = map[string]string{}
		resp.Diagnostics.Append(m.Env.ElementsAs(ctx, &pd.env, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	resp.ResourceData = pd
}

func (p *maprProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewLicenseResource,
		NewClusterResource,
	}
}

func (p *maprProvider) DataSources(context.Context) []func() datasource.DataSource {
	return nil
}

// Package gatewayd is the Terraform provider for gatewayd and Kong 3.x
// gateways. It reaches the Admin API only through gatewayd/api, whose
// Compare is the same "only the fields the user set" rule the Ansible
// modules and declarative sync use.
package gatewayd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// Address is the provider's registry address.
const Address = "registry.terraform.io/gatewayd-toolkit/gatewayd"

// Environment variables the provider reads when an attribute is not set.
const (
	EnvRequestTimeout = "GATEWAYD_REQUEST_TIMEOUT"
	EnvRetries        = "GATEWAYD_RETRIES"
)

var _ provider.Provider = (*gatewaydProvider)(nil)

type gatewaydProvider struct {
	version string
}

// New returns a constructor of the provider, for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &gatewaydProvider{version: version} }
}

type providerModel struct {
	AdminURL           types.String `tfsdk:"admin_url"`
	AdminToken         types.String `tfsdk:"admin_token"`
	Headers            types.Map    `tfsdk:"headers"`
	CACertPEM          types.String `tfsdk:"ca_cert_pem"`
	ClientCertPEM      types.String `tfsdk:"client_cert_pem"`
	ClientKeyPEM       types.String `tfsdk:"client_key_pem"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
	TLSServerName      types.String `tfsdk:"tls_server_name"`
	RequestTimeout     types.String `tfsdk:"request_timeout"`
	Retries            types.Int64  `tfsdk:"retries"`
}

// providerData is what resources and data sources receive: the client and
// a cache of plugin schemas (one /schemas/plugins/{name} call per plugin
// and run, however many plugin resources there are).
type providerData struct {
	client *api.Client

	mu      sync.Mutex
	schemas map[string]*api.Schema
}

func (p *providerData) pluginSchema(ctx context.Context, name string) (*api.Schema, error) {
	p.mu.Lock()
	s, ok := p.schemas[name]
	p.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := p.client.PluginSchema(ctx, name)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.schemas[name] = s
	p.mu.Unlock()
	return s, nil
}

func (p *gatewaydProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "gatewayd"
	resp.Version = p.version
}

func (p *gatewaydProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Manages the entities of a gatewayd (or Kong 3.x) gateway through its Admin API: services, routes, " +
			"plugins, consumers and their credentials, upstreams and targets, certificates, SNIs and CA certificates.",
		Attributes: map[string]schema.Attribute{
			"admin_url": schema.StringAttribute{Optional: true,
				Description: "URL of the Admin API, e.g. `http://127.0.0.1:8001` or `https://gw.example.com:8444/admin`. " +
					"Defaults to the `GATEWAYD_ADMIN_URL` environment variable, then `" + api.DefaultAdminURL + "`."},
			"admin_token": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "gatewayd's `admin_token`, sent as `Authorization: Bearer <token>`. Defaults to the " +
					"`GATEWAYD_ADMIN_TOKEN` environment variable. Kong OSS has no admin authentication; for a Kong node " +
					"behind an authenticating proxy, use `headers`."},
			"headers": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				Description: "Extra HTTP headers sent with every Admin API request (for example `Kong-Admin-Token` for " +
					"Kong Enterprise, or the credentials of a proxy in front of the Admin API)."},
			"ca_cert_pem": schema.StringAttribute{Optional: true,
				Description: "PEM-encoded CA certificate(s) to trust, in addition to the system roots, when `admin_url` is https."},
			"client_cert_pem": schema.StringAttribute{Optional: true,
				Description: "PEM-encoded client certificate for mutual TLS with the Admin API. Requires `client_key_pem`."},
			"client_key_pem": schema.StringAttribute{Optional: true, Sensitive: true,
				Description: "PEM-encoded private key of `client_cert_pem`."},
			"insecure_skip_verify": schema.BoolAttribute{Optional: true,
				Description: "Do not verify the Admin API's TLS certificate. For self-signed lab setups only: anyone on " +
					"the path can then read the admin token and change the gateway."},
			"tls_server_name": schema.StringAttribute{Optional: true,
				Description: "Server name to verify the Admin API's certificate against, when it differs from the host of `admin_url`."},
			"request_timeout": schema.StringAttribute{Optional: true,
				Description: "Time limit of one Admin API request attempt, as a Go duration (`30s`, `2m`). Defaults to " +
					"the `" + EnvRequestTimeout + "` environment variable, then `30s`."},
			"retries": schema.Int64Attribute{Optional: true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
				Description: "How many times a request is retried on connection errors, 429 and 5xx answers, waiting " +
					"500 ms, then 1.5 s, 4.5 s, ... (×3, with full jitter) in between. `0` disables retries. Other 4xx " +
					"answers, such as 409 conflicts, are never retried. Defaults to the `" + EnvRetries + "` environment " +
					"variable, then `4`."},
		},
	}
}

func (p *gatewaydProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	unknown := map[string]bool{
		"admin_url": m.AdminURL.IsUnknown(), "admin_token": m.AdminToken.IsUnknown(), "headers": m.Headers.IsUnknown(),
		"ca_cert_pem": m.CACertPEM.IsUnknown(), "client_cert_pem": m.ClientCertPEM.IsUnknown(),
		"client_key_pem": m.ClientKeyPEM.IsUnknown(), "request_timeout": m.RequestTimeout.IsUnknown(),
		"retries": m.Retries.IsUnknown(), "insecure_skip_verify": m.InsecureSkipVerify.IsUnknown(),
		"tls_server_name": m.TLSServerName.IsUnknown(),
	}
	for name, u := range unknown {
		if u {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider configuration",
				"The gatewayd provider can not be configured with a value known only after apply: "+name+
					". Set it to a literal, a variable, or the matching environment variable.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	cfg := api.Config{
		AdminURL:              m.AdminURL.ValueString(),
		Token:                 m.AdminToken.ValueString(),
		CACertPEM:             []byte(m.CACertPEM.ValueString()),
		ClientCertPEM:         []byte(m.ClientCertPEM.ValueString()),
		ClientKeyPEM:          []byte(m.ClientKeyPEM.ValueString()),
		InsecureSkipTLSVerify: m.InsecureSkipVerify.ValueBool(),
		TLSServerName:         m.TLSServerName.ValueString(),
		UserAgent:             "terraform-provider-gatewayd/" + p.version + " (+terraform " + req.TerraformVersion + ")",
	}.FromEnv()
	if !m.Headers.IsNull() {
		cfg.Headers = map[string]string{}
		resp.Diagnostics.Append(m.Headers.ElementsAs(ctx, &cfg.Headers, false)...)
	}
	timeout := m.RequestTimeout.ValueString()
	if timeout == "" {
		timeout = os.Getenv(EnvRequestTimeout)
	}
	if timeout != "" {
		d, err := time.ParseDuration(timeout)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddAttributeError(path.Root("request_timeout"), "Invalid request_timeout",
				fmt.Sprintf("%q is not a positive Go duration such as 30s or 2m.", timeout))
		}
		cfg.Timeout = d
	}
	retries := int64(-1)
	if !m.Retries.IsNull() {
		retries = m.Retries.ValueInt64()
	} else if env := os.Getenv(EnvRetries); env != "" {
		n, err := strconv.Atoi(env)
		if err != nil || n < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("retries"), "Invalid "+EnvRetries,
				fmt.Sprintf("%q is not a non-negative integer.", env))
		}
		retries = int64(n)
	}
	switch {
	case retries == 0:
		cfg.Retries = -1 // api.Config: negative disables retries, 0 means the default
	case retries > 0:
		cfg.Retries = int(retries)
	}
	if (len(cfg.ClientCertPEM) > 0) != (len(cfg.ClientKeyPEM) > 0) {
		resp.Diagnostics.AddAttributeError(path.Root("client_cert_pem"), "Incomplete client certificate",
			"client_cert_pem and client_key_pem must be set together.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	client, err := api.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Admin API configuration", err.Error())
		return
	}
	pd := &providerData{client: client, schemas: map[string]*api.Schema{}}
	resp.ResourceData = pd
	resp.DataSourceData = pd
}

func (p *gatewaydProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewServiceResource,
		NewRouteResource,
		NewPluginResource,
		NewConsumerResource,
		NewKeyAuthResource,
		NewBasicAuthResource,
		NewJWTSecretResource,
		NewHMACAuthResource,
		NewACLGroupResource,
		NewUpstreamResource,
		NewTargetResource,
		NewCertificateResource,
		NewSNIResource,
		NewCACertificateResource,
	}
}

func (p *gatewaydProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewServiceDataSource,
		NewRouteDataSource,
		NewConsumerDataSource,
		NewUpstreamDataSource,
		NewPluginDataSource,
		NewPluginSchemaDataSource,
	}
}

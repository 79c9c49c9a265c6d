package gatewayd

import (
	"context"
	"net/url"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// NewConsumerDataSource is data.gatewayd_consumer.
func NewConsumerDataSource() datasource.DataSource {
	return &entityDataSource{def: consumerDef, lookups: []string{"id", "username", "custom_id"},
		desc: "Reads a consumer by `id`, `username` or `custom_id`.",
		find: func(ctx context.Context, c *api.Client, by, value string, _ map[string]attr.Value) (api.Entity, error) {
			if by != "custom_id" {
				return c.Get(ctx, "consumers/"+api.Path(value))
			}
			// Kong's /consumers?custom_id= filter answers a one-element page.
			var page struct {
				Data []api.Entity `json:"data"`
			}
			if err := c.Do(ctx, "GET", "consumers?custom_id="+url.QueryEscape(value), nil, &page); err != nil {
				return nil, err
			}
			if len(page.Data) == 0 {
				return nil, nil
			}
			return page.Data[0], nil
		}}
}

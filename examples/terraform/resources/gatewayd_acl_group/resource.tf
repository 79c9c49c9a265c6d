resource "gatewayd_consumer" "alice" {
  username = "alice"
}

resource "gatewayd_acl_group" "alice_admins" {
  consumer_id = gatewayd_consumer.alice.id
  group       = "admins"
}

resource "gatewayd_route" "admin" {
  name  = "admin"
  paths = ["/admin"]
}

resource "gatewayd_plugin" "admins_only" {
  name     = "acl"
  route_id = gatewayd_route.admin.id
  config_json = jsonencode({
    allow = [gatewayd_acl_group.alice_admins.group]
  })
}

data "gatewayd_route" "login" {
  name = "login"
}

resource "gatewayd_plugin" "login_limit" {
  name        = "rate-limiting"
  route_id    = data.gatewayd_route.login.id
  config_json = jsonencode({ minute = 10 })
}

resource "gatewayd_service" "example" {
  name = "example-service"
  host = "httpbin.internal"
}

resource "gatewayd_route" "example" {
  name       = "example-route"
  service_id = gatewayd_service.example.id
  paths      = ["/v1"]
}

# Only the keys to change: every other key keeps the plugin's default, and
# the plan never reports the defaults the gateway fills in as drift.
resource "gatewayd_plugin" "rate_limiting" {
  name       = "rate-limiting"
  service_id = gatewayd_service.example.id
  config_json = jsonencode({
    minute = 60
    policy = "local"
  })
}

resource "gatewayd_plugin" "key_auth" {
  name          = "key-auth"
  instance_name = "example-key-auth"
  route_id      = gatewayd_route.example.id
  config_json = jsonencode({
    key_names        = ["apikey"]
    hide_credentials = true
  })
}

# A global plugin with all defaults.
resource "gatewayd_plugin" "correlation_id" {
  name = "correlation-id"
}

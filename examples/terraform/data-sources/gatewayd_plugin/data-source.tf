# The global rate-limiting instance: name alone, no scope.
data "gatewayd_plugin" "global_limit" {
  name = "rate-limiting"
}

# The complete configuration, defaults included.
output "global_limit_config" {
  value = jsondecode(data.gatewayd_plugin.global_limit.config_json)
}

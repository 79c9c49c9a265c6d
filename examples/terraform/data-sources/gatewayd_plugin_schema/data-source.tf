data "gatewayd_plugin_schema" "rate_limiting" {
  name = "rate-limiting"
}

output "rate_limiting_policy_choices" {
  value = one([for f in data.gatewayd_plugin_schema.rate_limiting.fields : f.one_of if f.path == "policy"])
}

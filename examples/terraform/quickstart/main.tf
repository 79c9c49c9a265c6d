# Kong's getting-started, as Terraform: a service, a route, key
# authentication, rate limiting and a consumer with an API key.
#
#   make install-providers          # builds the provider into bin/terraform-mirror
#   export TF_CLI_CONFIG_FILE=$PWD/bin/terraform-mirror/terraformrc
#   export GATEWAYD_ADMIN_TOKEN=...  # when gatewayd.conf sets admin_token
#   cd examples/terraform/quickstart && terraform init && terraform apply
#
#   curl -i localhost:8000/mock/anything                      # 401
#   curl -i localhost:8000/mock/anything -H "apikey: $KEY"    # 200, then 429

terraform {
  required_version = ">= 1.11"
  required_providers {
    gatewayd = {
      source = "gatewayd-toolkit/gatewayd"
    }
  }
}

variable "admin_url" {
  description = "Admin API of the gateway."
  type        = string
  default     = "http://127.0.0.1:8001"
}

variable "upstream_host" {
  description = "Host of the API to put behind the gateway."
  type        = string
  default     = "127.0.0.1"
}

variable "upstream_port" {
  description = "Port of the API to put behind the gateway."
  type        = number
  default     = 9000
}

variable "api_key" {
  description = "The API key of consumer luka."
  type        = string
  sensitive   = true
  default     = "top-secret-key"
}

variable "requests_per_minute" {
  description = "How many requests a client may send per minute."
  type        = number
  default     = 5
}

provider "gatewayd" {
  admin_url = var.admin_url
  # admin_token comes from GATEWAYD_ADMIN_TOKEN.
}

resource "gatewayd_service" "example" {
  name = "example-service"
  host = var.upstream_host
  port = var.upstream_port
}

resource "gatewayd_route" "mock" {
  name       = "example-route"
  service_id = gatewayd_service.example.id
  paths      = ["/mock"]
}

resource "gatewayd_plugin" "key_auth" {
  name       = "key-auth"
  service_id = gatewayd_service.example.id
  config_json = jsonencode({
    key_names        = ["apikey"]
    hide_credentials = true
  })
}

resource "gatewayd_plugin" "rate_limiting" {
  name       = "rate-limiting"
  service_id = gatewayd_service.example.id
  config_json = jsonencode({
    minute = var.requests_per_minute
    policy = "local"
  })
}

resource "gatewayd_consumer" "luka" {
  username = "luka"
}

resource "gatewayd_key_auth" "luka" {
  consumer_id = gatewayd_consumer.luka.id
  key         = var.api_key
}

output "route_path" {
  description = "Send requests here, through the proxy."
  value       = gatewayd_route.mock.paths[0]
}

resource "gatewayd_service" "example" {
  name            = "example-service"
  protocol        = "http"
  host            = "httpbin.internal"
  port            = 8080
  path            = "/api"
  connect_timeout = 5000
  tags            = ["team-payments"]
}

# An https upstream whose certificate the gateway verifies.
resource "gatewayd_service" "billing" {
  name             = "billing"
  protocol         = "https"
  host             = "billing.internal"
  port             = 443
  tls_verify       = true
  tls_verify_depth = 2
}

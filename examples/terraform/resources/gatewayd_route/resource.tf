resource "gatewayd_service" "example" {
  name = "example-service"
  host = "httpbin.internal"
}

resource "gatewayd_route" "example" {
  name       = "example-route"
  service_id = gatewayd_service.example.id
  protocols  = ["https"]
  methods    = ["GET", "POST"]
  hosts      = ["api.example.com"]
  paths      = ["/v1"]
  headers = {
    "x-api-version" = ["1"]
  }
  strip_path = true
}

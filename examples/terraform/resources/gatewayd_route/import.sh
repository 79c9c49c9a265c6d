# By id or by name:
terraform import gatewayd_route.example example-route

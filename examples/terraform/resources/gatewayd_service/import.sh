# By id or by name:
terraform import gatewayd_service.example example-service

# By id or by name:
terraform import gatewayd_sni.wildcard '*.example.com'

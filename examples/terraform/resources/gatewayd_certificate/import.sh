# By id, or by one of the certificate's SNI names:
terraform import gatewayd_certificate.example example.com

package gatewayd

import "fmt"

// testAccConsumerConfig declares the consumers credential tests hang on:
// "a" and "b" (to show that moving a credential replaces it).
func testAccConsumerConfig(name string) string {
	return fmt.Sprintf(`
resource "gatewayd_consumer" "a" {
  username = "%[1]s-a"
}
resource "gatewayd_consumer" "b" {
  username = "%[1]s-b"
}
`, name)
}

package azuresupport

import (
	"strings"
	"testing"

	"github.com/support-exporter/support_exporter/exporter/config"
)

func TestOptionsChecked(t *testing.T) {
	const credentials = `
        http_client:
          oauth2:
            client_id: "app"
            client_secret: "s"
            token_url: "https://login.microsoftonline.com/tenant/oauth2/v2.0/token"
            scopes: ["https://management.azure.com/.default"]
`
	for _, tc := range []struct{ name, keys, want string }{
		{"missing", "", "subscription_id: required for kind azure_support"},
		{"not a GUID", `        subscription_id: "my-subscription"` + "\n", `"my-subscription" is not an Azure subscription id`},
		{"good", `        subscription_id: "132d901f-189d-4381-9214-fe68e27e05a1"` + "\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			yaml := "vendors:\n  - name: acme\n    tickets:\n      - name: azure\n        kind: azure_support\n" + tc.keys + credentials
			cfg, err := config.Parse([]byte(yaml), "test.yml", config.Kinds{decl})
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
				src := cfg.Vendors[0].Tickets[0]
				if src.URL != DefaultURL || optionsOf(src).SubscriptionID != "132d901f-189d-4381-9214-fe68e27e05a1" {
					t.Errorf("url %q, options %+v", src.URL, optionsOf(src))
				}
			case err == nil || !strings.Contains(err.Error(), tc.want):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

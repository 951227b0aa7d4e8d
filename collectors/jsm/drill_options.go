package jsm

import "github.com/support-exporter/support_exporter/exporter/config"

// DrillRefusal implements config.DrillRefuser: the portal's create
// (POST /rest/servicedeskapi/request) files as the customer, into one
// service desk, with one request type.
func (o *Options) DrillRefusal(d *config.Drill) string {
	switch {
	case o.API != apiCustomer:
		return "a drill files its ticket as the buyer: set api: customer"
	case o.ServiceDeskID == "":
		return "a drill files into one service desk: set service_desk_id"
	case d.RequestType == "" || !numeric(d.RequestType):
		return "a drill on jira_service_management needs the drill's request_type (a request type id of the service desk)"
	}
	return ""
}

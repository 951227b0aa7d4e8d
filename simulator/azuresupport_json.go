package simulator

// JSON shapes of Azure Resource Manager's Microsoft.Support API,
// api-version 2024-04-01, field for field as in the examples of
// azure-rest-api-specs (specification/support/resource-manager/
// Microsoft.Support/stable/2024-04-01/examples: ListSupportTicketsBySubscription,
// ListCommunicationsForSubscriptionSupportTicket) and the Azure CLI's
// recorded answers, which write enum values capitalized ("Open",
// "Minimal", "Inbound", "Web"; collectors/azuresupport/testdata): ARM's
// list envelope (value, nextLink), the ticket and communication resources,
// ARM's error envelope, and Entra ID's token answer.

type azList[T any] struct {
	Value    []T    `json:"value"`
	NextLink string `json:"nextLink,omitempty"`
}

type azTicket struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	Type       string        `json:"type"`
	Properties azTicketProps `json:"properties"`
}

type azTicketProps struct {
	SupportTicketID                  string           `json:"supportTicketId"`
	Description                      string           `json:"description"`
	ProblemClassificationID          string           `json:"problemClassificationId"`
	ProblemClassificationDisplayName string           `json:"problemClassificationDisplayName"`
	Severity                         string           `json:"severity"`
	Require24X7Response              bool             `json:"require24X7Response"`
	AdvancedDiagnosticConsent        string           `json:"advancedDiagnosticConsent"`
	ContactDetails                   azContact        `json:"contactDetails"`
	ServiceLevelAgreement            azSLA            `json:"serviceLevelAgreement"`
	SupportEngineer                  azEngineer       `json:"supportEngineer"`
	SupportPlanType                  string           `json:"supportPlanType"`
	SupportPlanDisplayName           string           `json:"supportPlanDisplayName"`
	Title                            string           `json:"title"`
	ServiceID                        string           `json:"serviceId"`
	ServiceDisplayName               string           `json:"serviceDisplayName"`
	Status                           string           `json:"status"`
	CreatedDate                      string           `json:"createdDate"`
	ModifiedDate                     string           `json:"modifiedDate"`
	TechnicalTicketDetails           *azTechnicalInfo `json:"technicalTicketDetails,omitempty"`
}

type azContact struct {
	FirstName                string `json:"firstName"`
	LastName                 string `json:"lastName"`
	PreferredContactMethod   string `json:"preferredContactMethod"`
	PrimaryEmailAddress      string `json:"primaryEmailAddress"`
	PreferredTimeZone        string `json:"preferredTimeZone"`
	Country                  string `json:"country"`
	PreferredSupportLanguage string `json:"preferredSupportLanguage"`
}

type azSLA struct {
	StartTime      string `json:"startTime"`
	ExpirationTime string `json:"expirationTime"`
	SLAMinutes     int    `json:"slaMinutes"`
}

// azEngineer is {} until an engineer is assigned, as the CLI's recording
// shows it.
type azEngineer struct {
	EmailAddress string `json:"emailAddress,omitempty"`
}

type azTechnicalInfo struct {
	ResourceID string `json:"resourceId"`
}

type azComm struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Properties azCommProps `json:"properties"`
}

type azCommProps struct {
	CommunicationType      string `json:"communicationType"`
	CommunicationDirection string `json:"communicationDirection"`
	Sender                 string `json:"sender"`
	Subject                string `json:"subject"`
	Body                   string `json:"body"`
	CreatedDate            string `json:"createdDate"`
}

// azError is ARM's error envelope (common-types ErrorResponse).
type azError struct {
	Error azErrorDetail `json:"error"`
}

type azErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// azToken is the Microsoft identity platform's answer to a client
// credentials grant.
type azToken struct {
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	ExtExpiresIn int    `json:"ext_expires_in"`
	AccessToken  string `json:"access_token"`
}

// azTokenError is its answer to a refused grant.
type azTokenError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	ErrorCodes       []int  `json:"error_codes"`
}

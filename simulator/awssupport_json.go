package simulator

// JSON shapes of the AWS Support API (JSON 1.1 protocol), member for member
// as its API reference and botocore's support-2013-04-15 model name them
// (collectors/awssupport/testdata): DescribeCases and
// DescribeCommunications, their requests and answers, and the error
// envelope.

type awsDescribeCases struct {
	CaseIDList            []string `json:"caseIdList"`
	DisplayID             string   `json:"displayId"`
	AfterTime             string   `json:"afterTime"`
	BeforeTime            string   `json:"beforeTime"`
	IncludeResolvedCases  bool     `json:"includeResolvedCases"`
	NextToken             string   `json:"nextToken"`
	MaxResults            *int     `json:"maxResults"`
	Language              string   `json:"language"`
	IncludeCommunications *bool    `json:"includeCommunications"`
}

type awsDescribeCommunications struct {
	CaseID     string `json:"caseId"`
	BeforeTime string `json:"beforeTime"`
	AfterTime  string `json:"afterTime"`
	NextToken  string `json:"nextToken"`
	MaxResults *int   `json:"maxResults"`
}

type awsCasesPage struct {
	Cases     []awsCase `json:"cases"`
	NextToken string    `json:"nextToken,omitempty"`
}

type awsCase struct {
	CaseID               string             `json:"caseId"`
	DisplayID            string             `json:"displayId"`
	Subject              string             `json:"subject"`
	Status               string             `json:"status"`
	ServiceCode          string             `json:"serviceCode"`
	CategoryCode         string             `json:"categoryCode"`
	SeverityCode         string             `json:"severityCode"`
	SubmittedBy          string             `json:"submittedBy"`
	TimeCreated          string             `json:"timeCreated"`
	RecentCommunications *awsCommunications `json:"recentCommunications,omitempty"`
	CCEmailAddresses     []string           `json:"ccEmailAddresses"`
	Language             string             `json:"language"`
}

type awsCommunications struct {
	Communications []awsCommunication `json:"communications"`
	NextToken      string             `json:"nextToken,omitempty"`
}

type awsCommunication struct {
	CaseID        string          `json:"caseId"`
	Body          string          `json:"body"`
	SubmittedBy   string          `json:"submittedBy"`
	TimeCreated   string          `json:"timeCreated"`
	AttachmentSet []awsAttachment `json:"attachmentSet"`
}

type awsAttachment struct {
	AttachmentID string `json:"attachmentId"`
	FileName     string `json:"fileName"`
}

// awsError is the JSON 1.1 error envelope.
type awsError struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

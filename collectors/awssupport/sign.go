package awssupport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// signingName is the Support API's name in its signatures.
const signingName = "support"

// signer signs each request with Signature Version 4 (docs/sources.md,
// `aws_support`). It never logs: the SDK's signer logs only when asked to.
type signer struct {
	creds           aws.CredentialsProvider
	service, region string
	now             func() time.Time
	v4              *v4.Signer
}

// newSigner reads the credentials: the static pair when the source names
// one, else the SDK's default chain (environment, shared config and
// credentials files, web identity, ECS and EC2 instance roles), read
// lazily and cached until they expire.
func newSigner(opts *Options, now func() time.Time) (*signer, error) {
	s := &signer{service: signingName, region: opts.Region, now: now, v4: v4.NewSigner()}
	if opts.AccessKeyID != "" {
		s.creds = credentials.NewStaticCredentialsProvider(opts.AccessKeyID, string(opts.SecretAccessKey), "")
		return s, nil
	}
	// LoadDefaultConfig reads the environment and the shared files only;
	// the providers that ask a service (IMDS, STS) do so on Retrieve.
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(opts.Region))
	if err != nil {
		return nil, err
	}
	if cfg.Credentials == nil {
		return nil, errors.New("no AWS credentials: set access_key_id and secret_access_key, or configure the default chain")
	}
	s.creds = cfg.Credentials
	return s, nil
}

// sign returns the fetch.Post hook signing a request whose body is body:
// a signature dates its request, so each request is signed as it leaves.
func (s *signer) sign(body []byte) func(*http.Request) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	return func(r *http.Request) error {
		creds, err := s.creds.Retrieve(r.Context())
		if err != nil {
			// The SDK's errors name the providers tried, never a secret.
			return errors.New("reading AWS credentials: " + err.Error())
		}
		return s.v4.SignHTTP(r.Context(), creds, r, hash, s.service, s.region, s.now())
	}
}

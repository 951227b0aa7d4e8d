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
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
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
// credentials files, credential_process, web identity, ECS and EC2
// instance roles), read lazily and cached until they expire. A chain that
// finds none fails the first request (credentialsError).
func newSigner(opts *Options, now func() time.Time) (*signer, error) {
	s := &signer{service: signingName, region: opts.Region, now: now, v4: v4.NewSigner()}
	if opts.AccessKeyID != "" {
		s.creds = credentials.NewStaticCredentialsProvider(opts.AccessKeyID, string(opts.SecretAccessKey), "")
		return s, nil
	}
	// LoadDefaultConfig reads the environment and the shared files only;
	// the providers that ask a service (IMDS, STS) or run a process do so
	// on Retrieve. Its Credentials are never nil: the chain ends with the
	// EC2 instance role.
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(), awsconfig.WithRegion(opts.Region))
	if err != nil {
		// Not err's text: a shared file's line may hold a secret.
		return nil, errors.New("reading the AWS environment and shared config and credentials files failed " +
			"(the SDK's error is not shown: it may quote a secret); check AWS_PROFILE, AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE")
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
			if ctxErr := r.Context().Err(); ctxErr != nil {
				return ctxErr
			}
			return credentialsError(err)
		}
		return s.v4.SignHTTP(r.Context(), creds, r, hash, s.service, s.region, s.now())
	}
}

// credentialsError says which credentials failed in a fixed sentence, never
// the SDK's error: its text may hold a secret (a credential_process's
// whole output, keys and token included, when it is no valid JSON), and
// the shared files' paths and profiles are the host's.
func credentialsError(err error) error {
	var process *processcreds.ProviderError
	if errors.As(err, &process) {
		return errors.New("reading AWS credentials: the shared config's credential_process failed or printed no valid credentials " +
			"(its output is not shown: it may hold the secret key)")
	}
	return errors.New("reading AWS credentials: the default chain found none usable (environment, shared config and credentials " +
		"files, web identity, ECS or EC2 instance role); configure one for this host, or set access_key_id and secret_access_key")
}

package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"slices"

	commoncfg "github.com/prometheus/common/config"
)

// fileRef is a file named in an http_client, by its key below http_client.
type fileRef struct {
	key, file string
}

// httpClientFiles lists every file an http_client names: secrets
// (passwords, tokens, keys) and TLS material, which is read the same way.
func httpClientFiles(h *commoncfg.HTTPClientConfig) []fileRef {
	var refs []fileRef
	if h.BasicAuth != nil {
		refs = append(refs,
			fileRef{"basic_auth.username_file", h.BasicAuth.UsernameFile},
			fileRef{"basic_auth.password_file", h.BasicAuth.PasswordFile})
	}
	if h.Authorization != nil {
		refs = append(refs, fileRef{"authorization.credentials_file", h.Authorization.CredentialsFile})
	}
	refs = append(refs, fileRef{"bearer_token_file", h.BearerTokenFile})
	if h.OAuth2 != nil {
		refs = append(refs,
			fileRef{"oauth2.client_secret_file", h.OAuth2.ClientSecretFile},
			fileRef{"oauth2.client_certificate_key_file", h.OAuth2.ClientCertificateKeyFile})
		refs = append(refs, tlsFiles("oauth2.tls_config", &h.OAuth2.TLSConfig)...)
	}
	refs = append(refs, tlsFiles("tls_config", &h.TLSConfig)...)
	if h.HTTPHeaders != nil {
		for _, name := range slices.Sorted(maps.Keys(h.HTTPHeaders.Headers)) {
			for i, file := range h.HTTPHeaders.Headers[name].Files {
				refs = append(refs, fileRef{itemPath("http_headers."+name+".files", i), file})
			}
		}
	}
	return refs
}

func tlsFiles(key string, t *commoncfg.TLSConfig) []fileRef {
	return []fileRef{
		{key + ".ca_file", t.CAFile},
		{key + ".cert_file", t.CertFile},
		{key + ".key_file", t.KeyFile},
	}
}

// secretFiles refuses an http_client naming a file that cannot be read, so
// that a typo shows at load time rather than as failing syncs. Messages name
// the file, never its content.
func (ck *checker) secretFiles(h *commoncfg.HTTPClientConfig, path string) {
	for _, ref := range httpClientFiles(h) {
		if ref.file == "" {
			continue
		}
		key := ref.key
		// HTTPClientConfig.Validate moves bearer_token_file to authorization;
		// point at the key the operator wrote.
		if key == "authorization.credentials_file" && ck.ix.has(childPath(path, "bearer_token_file")) {
			key = "bearer_token_file"
		}
		if err := readable(ref.file); err != nil {
			ck.report(childPath(path, key), "%v", err)
		}
	}
}

func readable(name string) error {
	f, err := os.Open(name)
	if err != nil {
		var pathErr *fs.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err
		}
		return fmt.Errorf("cannot read file %q: %w", name, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read file %q: %w", name, err)
	}
	if info.IsDir() {
		return fmt.Errorf("file %q is a directory", name)
	}
	return nil
}

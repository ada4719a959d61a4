package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"slices"
	"strings"
)

// base64LineLen is the line length RFC 2045 prescribes for base64 bodies.
const base64LineLen = 76

// Raw serialises the message as RFC 5322 / MIME:
//
//	multipart/mixed
//	├── multipart/alternative (text/plain, text/html)
//	└── event.json (application/json attachment)
//
// Boundaries are derived from the content, so Raw is deterministic.
func (m Message) Raw() []byte {
	var b bytes.Buffer
	writeHeader(&b, "From", m.From)
	writeHeader(&b, "To", strings.Join(m.To, ", "))
	writeHeader(&b, "Subject", mime.QEncoding.Encode("utf-8", clean(m.Subject)))
	for _, k := range slices.Sorted(maps.Keys(m.Headers)) {
		writeHeader(&b, k, mime.QEncoding.Encode("utf-8", clean(m.Headers[k])))
	}
	writeHeader(&b, "MIME-Version", "1.0")

	mixed := multipart.NewWriter(&b)
	mustSetBoundary(mixed, boundary(m, "mixed"))
	writeHeader(&b, "Content-Type", "multipart/mixed; boundary="+mixed.Boundary())
	b.WriteString("\r\n")

	var alt bytes.Buffer
	altW := multipart.NewWriter(&alt)
	mustSetBoundary(altW, boundary(m, "alternative"))
	writeQP(altW, "text/plain; charset=utf-8", m.Text)
	if m.HTML != "" { // email-json mails are text only
		writeQP(altW, "text/html; charset=utf-8", m.HTML)
	}
	altW.Close()

	part, _ := mixed.CreatePart(textproto.MIMEHeader{
		"Content-Type": {"multipart/alternative; boundary=" + altW.Boundary()},
	})
	part.Write(alt.Bytes())
	for _, a := range m.Attachments {
		writeAttachment(mixed, a)
	}
	mixed.Close()
	return b.Bytes()
}

// writeHeader writes one header line; values are cleaned of CR/LF before, so
// no value can start a header of its own.
func writeHeader(b *bytes.Buffer, name, value string) {
	fmt.Fprintf(b, "%s: %s\r\n", name, strings.NewReplacer("\r", " ", "\n", " ").Replace(value))
}

func writeQP(w *multipart.Writer, contentType, body string) {
	part, _ := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	qp := quotedprintable.NewWriter(part)
	qp.Write([]byte(body))
	qp.Close()
}

func writeAttachment(w *multipart.Writer, a Attachment) {
	name := mime.QEncoding.Encode("utf-8", clean(a.Filename))
	part, _ := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {mime.FormatMediaType(a.ContentType, map[string]string{"name": name})},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
		"Content-Transfer-Encoding": {"base64"},
	})
	enc := base64.StdEncoding.EncodeToString(a.Data)
	for len(enc) > base64LineLen {
		part.Write([]byte(enc[:base64LineLen] + "\r\n"))
		enc = enc[base64LineLen:]
	}
	part.Write([]byte(enc + "\r\n"))
}

// boundary hashes the message content: deterministic, and practically
// impossible to occur in the (encoded) parts it separates.
func boundary(m Message, kind string) string {
	h := sha256.New()
	for _, s := range []string{kind, m.Subject, m.Text, m.HTML, m.Headers["Message-ID"]} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "vigil-" + kind + "-" + hex.EncodeToString(h.Sum(nil)[:12])
}

func mustSetBoundary(w *multipart.Writer, b string) {
	if err := w.SetBoundary(b); err != nil {
		panic(fmt.Sprintf("notify: invalid generated boundary %q: %v", b, err)) // a bug, not input
	}
}

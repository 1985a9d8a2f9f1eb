package handlers

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// mailLine is one mail of the outbox page.
type mailLine struct {
	To, Subject, Body, Created, State, Sent, Error string
	Attempts                                       int
}

type mailPage struct {
	SendsMail  bool
	MailServer bool
	Mails      []mailLine
}

// pageMail shows the outbox to administrators: GET /admin/mail. With a
// mail server it says where each mail stands; in the demo without one it
// shows the mails that would be sent. Mails hold no resident's data.
func (s *Server) pageMail(c *gin.Context) {
	lang := s.lang(c)
	mails, err := s.Mail.Mails(c.Request.Context(), actor(c))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := mailPage{SendsMail: s.Notify.SendsMail(), MailServer: s.MailServer}
	for _, m := range mails {
		line := mailLine{To: m.To, Subject: m.Subject, Body: m.Body, Created: localTime(m.CreatedAt, lang),
			State: s.i18n.T(lang, "mail.state."+m.State), Error: m.LastError, Attempts: m.Attempts}
		if m.SentAt != nil {
			line.Sent = localTime(*m.SentAt, lang)
		}
		p.Mails = append(p.Mails, line)
	}
	s.render(c, http.StatusOK, "mail", "mail.title", p)
}

package cases

import (
	"context"
	"slices"
)

// Mail preferences: how a user gets notifications by mail. Every
// notification is in the app as well.
const (
	MailImmediate = "immediate" // each mail as it happens
	MailDigest    = "digest"    // one mail each working day at 07:30 with what still waits
	MailOff       = "off"       // the app only
)

// MailPreferences lists the preferences in the order screens show them.
var MailPreferences = []string{MailImmediate, MailDigest, MailOff}

// DefaultMailPreference is a new account's: coordinators, who review each
// morning, get a digest; everyone else each mail at once.
func DefaultMailPreference(roles []string) string {
	if slices.Contains(roles, RoleCoordinator) {
		return MailDigest
	}
	return MailImmediate
}

// ContactDetails are a user's own ways to be reached and their mail
// preference, changed by themselves or by whoever manages them.
type ContactDetails struct {
	Email          string `json:"email" validate:"omitempty,max=254,email"`
	Phone          string `json:"phone" validate:"omitempty,phone"`
	MailPreference string `json:"mail_preference" validate:"required,oneof=immediate digest off"`
}

// Validate checks the details.
func (in *ContactDetails) Validate() error {
	in.Email, in.Phone = trim(in.Email), trim(in.Phone)
	return InvalidOrNil(validateStruct(in))
}

// SetContactDetails changes the e-mail address, phone and mail preference
// of account id: the user's own, or one actor manages (MayManage).
func (s *UserService) SetContactDetails(ctx context.Context, actor Actor, id int64, in ContactDetails) (*User, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var out *User
	err := s.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		u, err := account(ctx, tx.Users(), actor, id)
		if err != nil {
			return err
		}
		if u.ID != actor.UserID {
			if err := MayManage(actor, u.OrganisationID, u.Roles); err != nil {
				return err
			}
		}
		if err := tx.Users().SetContactDetails(ctx, id, in); err != nil {
			return err
		}
		u.Email, u.Phone, u.MailPreference = in.Email, in.Phone, in.MailPreference
		u.PasswordHash = ""
		out = u
		return tx.Audit(AuditRecord{Actor: actor, Action: "set_contact_details", Entity: "user", EntityID: u.Username,
			Detail: "mail=" + in.MailPreference})
	})
	return out, err
}

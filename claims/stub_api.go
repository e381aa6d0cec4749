package claims

// STUB: the claims helper replaces this file with the real implementation
// (registered.go, expect.go, path.go, identity.go, roles.go) and deletes it.

import (
	"errors"
	"log/slog"
	"time"
)

var errTODO = errors.New("claims: not implemented")

type Expected struct {
	Issuer, Subject string
	Audience        []string
	Custom          map[string]any
}

func ParseExpected(m map[string]any) (Expected, error) { return Expected{}, errTODO }

type Validator struct {
	Expected   Expected
	Leeway     time.Duration
	RequireExp bool
	Now        func() time.Time
}

func (v *Validator) Validate(c map[string]any) error { return errTODO }

type Path struct{ expr string }

func CompilePath(expr string) (*Path, error)               { return nil, errTODO }
func (p *Path) String(c map[string]any) (string, error)    { return "", errTODO }
func (p *Path) Strings(c map[string]any) ([]string, error) { return nil, errTODO }

type Role string

const (
	RoleNone   Role = "None"
	RoleViewer Role = "Viewer"
	RoleEditor Role = "Editor"
	RoleAdmin  Role = "Admin"
)

type MapperConfig struct {
	UsernameClaim, EmailClaim                                                                           string
	UsernameAttributePath, EmailAttributePath, RoleAttributePath, GroupsAttributePath, OrgAttributePath string
	RoleAttributeStrict, AllowAssignGrafanaAdmin, SkipOrgRoleSync                                       bool
	OrgMapping                                                                                          []string
	AutoAssignOrgRole                                                                                   Role
	DefaultOrg                                                                                          string
	Logger                                                                                              *slog.Logger
}

type Mapper struct{}

func NewMapper(cfg MapperConfig) (*Mapper, error) { return nil, errTODO }

type Identity struct {
	Login, Email, Name string
	Role               Role
	IsGrafanaAdmin     *bool
	Groups             []string
	OrgRoles           map[string]Role
}

func (m *Mapper) Map(c map[string]any) (Identity, error) { return Identity{}, errTODO }

package claims_test

import (
	"fmt"

	"github.com/jwtgate/jwtgate/claims"
)

func ExampleRole_AtLeast() {
	fmt.Println(claims.RoleAdmin.AtLeast(claims.RoleEditor))
	fmt.Println(claims.RoleViewer.AtLeast(claims.RoleEditor))
	fmt.Println(claims.RoleNone.AtLeast(claims.RoleViewer), claims.Role("").AtLeast(claims.RoleViewer))
	// Output:
	// true
	// false
	// false false
}

package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/hyperlane-go/hyperlane/hyperlane"
)

// bindDoubtful binds a JSON body that the fast path did not: valid says
// whether the check accepted it already. Otherwise the reference engine
// validates the tree of the body that the schema can look at (see
// treeDecoder), which stays within a few times the body's size where
// encoding/json's full tree would take tens; then the body is decoded
// into target, straight for a flat struct (escapes included), else by
// encoding/json.
func (p *inputPlan) bindDoubtful(body []byte, target any, valid bool, errs *[]hyperlane.ErrorDetail) error {
	if p.bodySchema != nil && !valid {
		doc, err := decodeTree(body, p.bodySchema.check)
		if err != nil {
			return err
		}
		if verr := p.bodySchema.Validate(doc); verr != nil {
			*errs = append(*errs, validationDetails(verr, inBody, doc)...)
			return nil
		}
		if key := foldedKey(doc, reflect.TypeOf(target)); key != "" {
			*errs = append(*errs, hyperlane.ErrorDetail{Location: locate(inBody, []string{key}),
				Message: "differs from a property only in letter case; spell it as the schema does"})
			return nil
		}
		if p.direct != nil && p.direct.decode(body, reflect.ValueOf(target).Elem()) {
			return nil
		}
	}
	if p.direct != nil {
		if d, ok := p.direct.mismatch(body, reflect.ValueOf(target).Elem()); ok {
			*errs = append(*errs, d)
			return nil
		}
	}
	if err := json.Unmarshal(body, target); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			loc := inBody
			if typ.Field != "" {
				loc = locate(inBody, []string{typ.Field})
			}
			*errs = append(*errs, hyperlane.ErrorDetail{Location: loc,
				Message: fmt.Sprintf("must be %s, got %s", typePhrase(typ.Type), quote([]byte(typ.Value)))})
			return nil
		}
		return malformedJSON(err)
	}
	return nil
}

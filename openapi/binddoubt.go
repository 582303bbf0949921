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
		t, details, err := p.bodySchema.validateTree(body)
		if err != nil {
			return err
		}
		if len(details) > 0 {
			*errs = append(*errs, details...)
			return nil
		}
		if key := foldedKey(t.doc, reflect.TypeOf(target), t.compact); key != "" {
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

// validateTree validates body on its tree (see treeDecoder) and returns
// the tree and the details of what fails, none when the body is valid.
func (vd *validator) validateTree(body []byte) (*tree, []hyperlane.ErrorDetail, error) {
	k := vd.check
	t, err := decodeTree(body, k, false)
	if err != nil {
		return nil, nil, err
	}
	var details []hyperlane.ErrorDetail
	if verr := vd.Validate(t.doc); verr != nil {
		details = mappedDetails(verr, inBody, t.doc, t.real)
	}
	if t.capped && len(details) == 0 {
		// Only the whole tree can tell (see tree.capped).
		if t, err = decodeTree(body, k, true); err != nil {
			return nil, nil, err
		}
		if verr := vd.Validate(t.doc); verr != nil {
			details = mappedDetails(verr, inBody, t.doc, t.real)
		}
	}
	return t, details, nil
}

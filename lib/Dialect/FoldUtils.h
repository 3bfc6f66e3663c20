//===- FoldUtils.h - helpers shared by the cotan folders --------*- C++ -*-===//
#ifndef COTAN_LIB_DIALECT_FOLDUTILS_H
#define COTAN_LIB_DIALECT_FOLDUTILS_H

#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::cotan {

/// Constants larger than this are not folded elementwise: folding them would
/// grow the IR and the compile time without speeding anything up.
constexpr int64_t kMaxFoldedElements = 1024;

/// True if `attr` is a splat or small constant that folders may expand.
inline bool isFoldableConstant(Attribute attr) {
  auto elements = dyn_cast_if_present<ElementsAttr>(attr);
  return elements && (elements.isSplat() ||
                      elements.getNumElements() <= kMaxFoldedElements);
}

/// True if `attr` is a splat constant equal to 0 or 1 (either zero sign).
inline bool isSplatOf(Attribute attr, int64_t value) {
  auto splat = dyn_cast_if_present<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  if (isa<FloatType>(splat.getElementType())) {
    APFloat v = splat.getSplatValue<APFloat>();
    return value == 0 ? v.isZero() : v.isExactlyValue(double(value));
  }
  APInt v = splat.getSplatValue<APInt>();
  return value == 0 ? v.isZero() : value == 1 && v.isOne();
}

} // namespace mlir::cotan

#endif // COTAN_LIB_DIALECT_FOLDUTILS_H

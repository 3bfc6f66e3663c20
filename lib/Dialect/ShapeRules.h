//===- ShapeRules.h - checks shared by the cotan shape rules ----*- C++ -*-===//
//
// Shape rules run on IR that is not verified yet (the parser and the Python
// builders call them first), so they check every type and attribute they
// read and report through emitOptionalError instead of asserting.
//
//===----------------------------------------------------------------------===//
#ifndef COTAN_LIB_DIALECT_SHAPERULES_H
#define COTAN_LIB_DIALECT_SHAPERULES_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace mlir::cotan {

/// `[a, b, c]`, for diagnostics.
inline std::string formatDims(ArrayRef<int64_t> dims) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "[";
  llvm::interleaveComma(dims, os);
  os << "]";
  return text;
}

/// A dimension size for diagnostics: the number, or `?` when dynamic.
inline std::string formatSize(int64_t size) {
  return ShapedType::isDynamic(size) ? "?" : std::to_string(size);
}

/// Checks that an op creating a tensor of `type` has one dynamic size
/// operand per `?` dimension; `label` names the constraint.
inline LogicalResult verifyDynamicSizes(OpState op, RankedTensorType type,
                                        size_t numSizes, StringRef label) {
  if (size_t(type.getNumDynamicDims()) == numSizes)
    return success();
  return op.emitOpError("(")
         << label << ") expects " << type.getNumDynamicDims()
         << " dynamic sizes (one per `?` dimension of " << type << "), got "
         << numSizes;
}

/// The ranked tensor type `type`, or an error naming `what`.
inline FailureOr<RankedTensorType>
rankedTensor(std::optional<Location> location, Type type, StringRef what) {
  if (auto ranked = dyn_cast<RankedTensorType>(type))
    return ranked;
  return emitOptionalError(location, what, " must be a ranked tensor, got ",
                           type);
}

/// The ranked tensor types of a binary op's `lhs` and `rhs`, which must
/// share an element type (`label` names that constraint in the message).
inline FailureOr<std::pair<RankedTensorType, RankedTensorType>>
sameElementOperands(std::optional<Location> location, Type lhsType,
                    Type rhsType, StringRef label) {
  auto lhs = rankedTensor(location, lhsType, "lhs");
  auto rhs = rankedTensor(location, rhsType, "rhs");
  if (failed(lhs) || failed(rhs))
    return failure();
  if (lhs->getElementType() != rhs->getElementType())
    return emitOptionalError(location, "(", label, ") operand element types "
                             "differ: ", lhs->getElementType(), " vs ",
                             rhs->getElementType());
  return std::make_pair(*lhs, *rhs);
}

/// Checks that `dims` are unique and within [0, rank); `label` names the
/// constraint in the message.
inline LogicalResult checkDimensionSet(std::optional<Location> location,
                                       ArrayRef<int64_t> dims, int64_t rank,
                                       StringRef label) {
  llvm::SmallSet<int64_t, 8> seen;
  for (int64_t d : dims) {
    if (d < 0 || d >= rank)
      return emitOptionalError(location, "(", label, ") dimension ", d,
                               " is out of range for rank ", rank);
    if (!seen.insert(d).second)
      return emitOptionalError(location, "(", label, ") dimension ", d,
                               " appears more than once");
  }
  return success();
}

} // namespace mlir::cotan

#endif // COTAN_LIB_DIALECT_SHAPERULES_H

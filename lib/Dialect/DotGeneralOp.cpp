//===- DotGeneralOp.cpp - dot_general shape rule --------------------------===//

#include "DerivativeRules.h"
#include "ShapeRules.h"
#include "cotan/IR/CotanOps.h"

using namespace mlir;
using namespace mlir::cotan;

LogicalResult DotGeneralOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> location,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &inferred) {
  auto operands = sameElementOperands(location, adaptor.getLhs().getType(),
                                      adaptor.getRhs().getType(), "dot_general_c1");
  if (failed(operands))
    return failure();
  auto [lhs, rhs] = *operands;
  if (!adaptor.getLhsContractingDimensionsAttr() ||
      !adaptor.getRhsContractingDimensionsAttr())
    return emitOptionalError(location, "(dot_general_c2) requires contracting "
                                       "dimensions");
  ArrayRef<int64_t> lhsBatch, rhsBatch;
  if (auto attr = adaptor.getLhsBatchingDimensionsAttr())
    lhsBatch = attr.asArrayRef();
  if (auto attr = adaptor.getRhsBatchingDimensionsAttr())
    rhsBatch = attr.asArrayRef();
  ArrayRef<int64_t> lhsContract = adaptor.getLhsContractingDimensions();
  ArrayRef<int64_t> rhsContract = adaptor.getRhsContractingDimensions();
  if (lhsBatch.size() != rhsBatch.size())
    return emitOptionalError(location, "(dot_general_c3) lhs has ",
                             lhsBatch.size(), " batching dimensions, rhs has ",
                             rhsBatch.size());
  if (lhsContract.size() != rhsContract.size())
    return emitOptionalError(location, "(dot_general_c4) lhs has ",
                             lhsContract.size(),
                             " contracting dimensions, rhs has ",
                             rhsContract.size());
  SmallVector<int64_t> lhsUsed(lhsBatch), rhsUsed(rhsBatch);
  llvm::append_range(lhsUsed, lhsContract);
  llvm::append_range(rhsUsed, rhsContract);
  if (failed(checkDimensionSet(location, lhsUsed, lhs.getRank(),
                               "dot_general_c5")) ||
      failed(checkDimensionSet(location, rhsUsed, rhs.getRank(),
                               "dot_general_c5")))
    return failure();
  for (auto [l, r] : llvm::zip(lhsUsed, rhsUsed))
    if (lhs.getDimSize(l) != rhs.getDimSize(r))
      return emitOptionalError(location, "(dot_general_c6) lhs dimension ", l,
                               " (size ", formatSize(lhs.getDimSize(l)),
                               ") does not match rhs dimension ", r, " (size ",
                               formatSize(rhs.getDimSize(r)), ")");
  SmallVector<int64_t> shape;
  for (int64_t d : lhsBatch)
    shape.push_back(lhs.getDimSize(d));
  for (int64_t d = 0; d < lhs.getRank(); ++d)
    if (!llvm::is_contained(lhsUsed, d))
      shape.push_back(lhs.getDimSize(d));
  for (int64_t d = 0; d < rhs.getRank(); ++d)
    if (!llvm::is_contained(rhsUsed, d))
      shape.push_back(rhs.getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Derivative rules
//===----------------------------------------------------------------------===//

SmallVector<Value> DotGeneralOp::jvp(OpBuilder &b, ArrayRef<Value> tangents) {
  Location loc = getLoc();
  auto dot = [&](Value lhs, Value rhs) -> Value {
    return DotGeneralOp::create(b, loc, lhs, rhs, getLhsBatchingDimensions(),
                                getRhsBatchingDimensions(),
                                getLhsContractingDimensions(),
                                getRhsContractingDimensions());
  };
  return {addOrNull(b, loc, tangents[0] ? dot(tangents[0], getRhs()) : Value(),
                    tangents[1] ? dot(getLhs(), tangents[1]) : Value())};
}

namespace {
/// The cotangent of one operand ("mine") of a dot_general: contract the
/// result cotangent with the other operand over the other operand's free
/// dimensions, then transpose into my dimension order if needed. The lhs's
/// cotangent is ct . other, laid out batch, my free dimensions, my
/// contracting ones; the rhs's is other . ct, laid out batch, my
/// contracting dimensions, my free ones: for a matmul both come out in
/// their operand's layout, with no transpose to materialize. Contracting
/// dimensions appear in the order of the other operand's.
Value dotOperandCotangent(OpBuilder &b, Location loc, Value ct, Value other,
                          RankedTensorType mine, ArrayRef<int64_t> myBatch,
                          ArrayRef<int64_t> myContract,
                          ArrayRef<int64_t> otherBatch,
                          ArrayRef<int64_t> otherContract, bool mineIsLhs) {
  auto otherType = cast<RankedTensorType>(other.getType());
  auto freeDims = [](RankedTensorType type, ArrayRef<int64_t> batch,
                     ArrayRef<int64_t> contract) {
    SmallVector<int64_t> free;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (!llvm::is_contained(batch, d) && !llvm::is_contained(contract, d))
        free.push_back(d);
    return free;
  };
  SmallVector<int64_t> myFree = freeDims(mine, myBatch, myContract);
  SmallVector<int64_t> otherFree = freeDims(otherType, otherBatch, otherContract);
  int64_t numBatch = myBatch.size();
  // Result cotangent layout: batch, lhs free, rhs free.
  int64_t otherFreeStart = numBatch + (mineIsLhs ? myFree.size() : 0);
  SmallVector<int64_t> ctBatch, ctContract;
  for (int64_t i = 0; i < numBatch; ++i)
    ctBatch.push_back(i);
  for (size_t j = 0; j < otherFree.size(); ++j)
    ctContract.push_back(otherFreeStart + j);
  Value product =
      mineIsLhs ? DotGeneralOp::create(b, loc, ct, other, ctBatch, otherBatch,
                                       ctContract, otherFree)
                : DotGeneralOp::create(b, loc, other, ct, otherBatch, ctBatch,
                                       otherFree, ctContract);
  int64_t freeStart = numBatch + (mineIsLhs ? 0 : myContract.size());
  int64_t contractStart = numBatch + (mineIsLhs ? myFree.size() : 0);
  SmallVector<int64_t> position(mine.getRank());
  for (auto [i, d] : llvm::enumerate(myBatch))
    position[d] = i;
  for (auto [j, d] : llvm::enumerate(myFree))
    position[d] = freeStart + j;
  SmallVector<int64_t> sortedOther(otherContract);
  llvm::sort(sortedOther);
  for (auto [m, od] : llvm::enumerate(sortedOther)) {
    int64_t k = llvm::find(otherContract, od) - otherContract.begin();
    position[myContract[k]] = contractStart + m;
  }
  bool identity = llvm::all_of(llvm::enumerate(position), [](auto p) {
    return int64_t(p.index()) == p.value();
  });
  if (identity)
    return product;
  return TransposeOp::create(b, loc, product, position);
}
} // namespace

SmallVector<Value> DotGeneralOp::vjp(OpBuilder &b, ArrayRef<Value> cotangents) {
  Value ct = cotangents[0];
  if (!ct)
    return {Value(), Value()};
  Location loc = getLoc();
  auto lhsType = cast<RankedTensorType>(getLhs().getType());
  auto rhsType = cast<RankedTensorType>(getRhs().getType());
  return {dotOperandCotangent(b, loc, ct, getRhs(), lhsType,
                              getLhsBatchingDimensions(),
                              getLhsContractingDimensions(),
                              getRhsBatchingDimensions(),
                              getRhsContractingDimensions(), /*mineIsLhs=*/true),
          dotOperandCotangent(b, loc, ct, getLhs(), rhsType,
                              getRhsBatchingDimensions(),
                              getRhsContractingDimensions(),
                              getLhsBatchingDimensions(),
                              getLhsContractingDimensions(), /*mineIsLhs=*/false)};
}

//===----------------------------------------------------------------------===//
// Batching rule: the batch becomes a dot_general batch dimension when both
// sides carry it; otherwise it is a free dimension moved to the front.
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<Value>> DotGeneralOp::batch(OpBuilder &b, ValueRange operands,
                                                  ArrayRef<bool> batched,
                                                  BatchSize) {
  Location loc = getLoc();
  auto shift = [&](ArrayRef<int64_t> dims, bool isBatched) {
    return llvm::map_to_vector(
        dims, [&](int64_t d) { return isBatched ? d + 1 : d; });
  };
  bool lhsBatched = batched[0], rhsBatched = batched[1];
  SmallVector<int64_t> lhsBatch = shift(getLhsBatchingDimensions(), lhsBatched);
  SmallVector<int64_t> rhsBatch = shift(getRhsBatchingDimensions(), rhsBatched);
  SmallVector<int64_t> lhsContract = shift(getLhsContractingDimensions(), lhsBatched);
  SmallVector<int64_t> rhsContract = shift(getRhsContractingDimensions(), rhsBatched);
  if (lhsBatched && rhsBatched) {
    lhsBatch.insert(lhsBatch.begin(), 0);
    rhsBatch.insert(rhsBatch.begin(), 0);
    return SmallVector<Value>{DotGeneralOp::create(b, loc, operands[0], operands[1],
                                                   lhsBatch, rhsBatch, lhsContract,
                                                   rhsContract)};
  }
  Value product = DotGeneralOp::create(b, loc, operands[0], operands[1], lhsBatch,
                                       rhsBatch, lhsContract, rhsContract);
  // The batch is the first free dimension of its side: after the batch
  // dimensions, and after the lhs free dimensions when it is on the rhs.
  auto lhsType = cast<RankedTensorType>(getLhs().getType());
  int64_t lhsFree = lhsType.getRank() - lhsBatch.size() - lhsContract.size();
  int64_t position = lhsBatch.size() + (lhsBatched ? 0 : lhsFree);
  if (position == 0)
    return SmallVector<Value>{product};
  int64_t rank = cast<RankedTensorType>(product.getType()).getRank();
  SmallVector<int64_t> perm = {position};
  for (int64_t d = 0; d < rank; ++d)
    if (d != position)
      perm.push_back(d);
  return SmallVector<Value>{TransposeOp::create(b, loc, product, perm)};
}

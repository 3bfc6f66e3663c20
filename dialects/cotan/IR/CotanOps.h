//===- CotanOps.h - cotan dialect ops ---------------------------*- C++ -*-===//
#ifndef COTAN_IR_COTANOPS_H
#define COTAN_IR_COTANOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir/IR/SymbolTable.h"

#include "cotan/IR/CotanDialect.h"
#include "cotan/IR/CotanEnums.h.inc"
#include "cotan/Interfaces/BatchableOpInterface.h"
#include "cotan/Interfaces/DifferentiableOpInterface.h"

namespace mlir::cotan {
/// Attaches ReifyRankedShapedTypeOpInterface to the ops that accept dynamic
/// dimensions (ShapeReification.cpp).
void attachShapeReification(MLIRContext *context);
/// Shape rule shared by the reduce_* family: drops `dimensions`.
LogicalResult inferReduceType(std::optional<Location> location,
                              Type operandType, ArrayRef<int64_t> dimensions,
                              SmallVectorImpl<Type> &inferred);
/// A cotan.constant of `type` (a static tensor type) filled with zeros.
Value zerosLike(OpBuilder &builder, Location loc, Type type);
/// Zeros of `like`'s type; sized at run time when it has `?` dimensions.
Value zerosLike(OpBuilder &builder, Location loc, Value like);
/// A tensor of `like`'s type filled with `value`: a constant, or a
/// broadcast sized at run time when the type has `?` dimensions.
Value splatLike(OpBuilder &builder, Location loc, Value like, double value);
/// The `?` sizes of `type` read from `like`, a tensor of the same shape
/// (`tensor.dim`), in order: the dynamic_sizes of an op creating it.
SmallVector<Value> dynamicSizesOf(OpBuilder &builder, Location loc,
                                  RankedTensorType type, Value like);
/// `derivative() * seed`, or null (a zero) when `seed` is null; the
/// derivative is only built when it is needed.
Value scaleByDerivative(OpBuilder &builder, Location loc, Value seed,
                        function_ref<Value()> derivative);
/// `value` reshaped to `shape` (itself when it has that shape already). A
/// `?` in `shape` (one at most) takes the size the elements leave for it.
Value reshapeTo(OpBuilder &builder, Location loc, Value value,
                ArrayRef<int64_t> shape);
/// The limits of a slice taking every dimension of `type` whole: its sizes,
/// with -1 for a dynamic one.
SmallVector<int64_t> wholeLimits(RankedTensorType type);
/// `value` transposed by `permutation` (itself for the identity).
Value transposeTo(OpBuilder &builder, Location loc, Value value,
                  ArrayRef<int64_t> permutation);
/// `value` with its two leading dimensions exchanged.
Value swapLeadingDims(OpBuilder &builder, Location loc, Value value);
/// Verifier shared by argmax/argmin.
LogicalResult verifyArgReduce(Operation *op, Type operandType,
                              int64_t dimension, Type resultType);
} // namespace mlir::cotan

#define GET_OP_CLASSES
#include "cotan/IR/CotanOps.h.inc"

#endif // COTAN_IR_COTANOPS_H

//===- CotanBase.td - cotan dialect, types and op families -*- tablegen -*-===//
//
// The cotan dialect: pure tensor ops on statically shaped ranked tensors.
// Op families bundle the traits their members share, so each op def in
// CotanOps.td states only what is particular to it.
//
//===----------------------------------------------------------------------===//

#ifndef COTAN_IR_COTANBASE_TD
#define COTAN_IR_COTANBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "cotan/Interfaces/BatchableOpInterface.td"
include "cotan/Interfaces/DifferentiableOpInterface.td"

def Cotan_Dialect : Dialect {
  let name = "cotan";
  let cppNamespace = "::mlir::cotan";
  let summary = "Tensor ops with value semantics for the cotan compiler";
  let description = [{
    The cotan dialect is the IR that `cotan.jit` traces Python into. Every op
    is pure and works on ranked tensors. Shape-polymorphic functions have
    dynamic (`?`) dimensions; the ops that create them (`broadcast_in_dim`,
    `reshape`) take those sizes as `index` operands, read with `tensor.dim`
    and computed with `arith`, and the other ops derive them from their
    operands (`ReifyRankedShapedTypeOpInterface`). Implicit
    broadcasting does not exist at this level: the front end inserts
    `cotan.broadcast_in_dim` explicitly, so elementwise ops take operands of
    identical type. Element types: f16, bf16, f32, f64, i1, i32, i64
    (integers are signed).
  }];
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Cotan_FloatElement : AnyTypeOf<[F16, BF16, F32, F64]>;
def Cotan_IntElement : AnyTypeOf<[I32, I64]>;
def Cotan_Element : AnyTypeOf<[F16, BF16, F32, F64, I1, I32, I64]>;

// Tensors whose dimensions may be dynamic (`?`): the shape-polymorphic ops
// (elementwise, broadcast_in_dim, reshape, transpose, reductions,
// dot_general and the derivative requests) take these. Where two `?`
// dimensions must agree, the front end guarantees it (symbolic equality).
def Cotan_Tensor : RankedTensorOf<[Cotan_Element]>;
def Cotan_FloatTensor : RankedTensorOf<[Cotan_FloatElement]>;
def Cotan_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I32, I64]>;
def Cotan_IntOrBoolTensor : RankedTensorOf<[I1, I32, I64]>;
def Cotan_IntTensor : RankedTensorOf<[Cotan_IntElement]>;
def Cotan_BoolTensor : RankedTensorOf<[I1]>;
// Ops that need every size at compile time (windows, sorting, slicing at
// static bounds, collectives, control flow) take static shapes only.
def Cotan_StaticTensor : StaticShapeTensorOf<[Cotan_Element]>;
def Cotan_StaticFloatTensor : StaticShapeTensorOf<[Cotan_FloatElement]>;
def Cotan_StaticNumericTensor :
    StaticShapeTensorOf<[F16, BF16, F32, F64, I32, I64]>;
def Cotan_StaticIntTensor : StaticShapeTensorOf<[Cotan_IntElement]>;
def Cotan_IndexScalar : 0DTensorOf<[I32, I64]>;
// Collectives move f32, f64, i32 and i64 (MPI's types for them).
def Cotan_CollectiveTensor : StaticShapeTensorOf<[F32, F64, I32, I64]>;

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Cotan_ComparisonDirection : I32EnumAttr<"ComparisonDirection",
    "comparison direction", [
      I32EnumAttrCase<"EQ", 0, "eq">,
      I32EnumAttrCase<"NE", 1, "ne">,
      I32EnumAttrCase<"LT", 2, "lt">,
      I32EnumAttrCase<"LE", 3, "le">,
      I32EnumAttrCase<"GT", 4, "gt">,
      I32EnumAttrCase<"GE", 5, "ge">
    ]> {
  let cppNamespace = "::mlir::cotan";
}

def Cotan_WindowReduction : I32EnumAttr<"WindowReduction",
    "how a window is combined", [
      I32EnumAttrCase<"Sum", 0, "sum">,
      I32EnumAttrCase<"Max", 1, "max">,
      I32EnumAttrCase<"Min", 2, "min">
    ]> {
  let cppNamespace = "::mlir::cotan";
}

def Cotan_CollectiveReduction : I32EnumAttr<"CollectiveReduction",
    "how the processes' values are combined", [
      I32EnumAttrCase<"Sum", 0, "sum">,
      I32EnumAttrCase<"Max", 1, "max">,
      I32EnumAttrCase<"Min", 2, "min">
    ]> {
  let cppNamespace = "::mlir::cotan";
}

//===----------------------------------------------------------------------===//
// Op families
//===----------------------------------------------------------------------===//

// Every op carries derivative rules: `Cotan_Derivative` ops define theirs;
// `Cotan_NoDerivative` ops keep the defaults (zero tangents/cotangents).
defvar Cotan_Derivative =
    DeclareOpInterfaceMethods<Cotan_DifferentiableOpInterface, ["jvp", "vjp"]>;
defvar Cotan_NoDerivative = Cotan_DifferentiableOpInterface;

// Batching: elementwise ops use the interface's default (elementwise) rule;
// `Cotan_BatchRule` ops define their own.
defvar Cotan_Batchable = Cotan_BatchableOpInterface;
defvar Cotan_BatchRule =
    DeclareOpInterfaceMethods<Cotan_BatchableOpInterface, ["batch"]>;

class Cotan_Op<string mnemonic, list<Trait> traits = []>
    : Op<Cotan_Dialect, mnemonic, traits>;

// y = f(x) elementwise; the result has the operand's type.
class Cotan_UnaryElementwiseOp<string mnemonic, Type TensorTy,
                               list<Trait> traits = []>
    : Cotan_Op<mnemonic, traits # [Pure, Elementwise,
                                   SameOperandsAndResultType, Cotan_Batchable]> {
  let arguments = (ins TensorTy:$operand);
  let results = (outs TensorTy:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
}

// A differentiable f(x) on floats whose JVP and VJP both scale by f'(x);
// each op defines only `derivative`, which builds f'(x).
class Cotan_SmoothUnaryOp<string mnemonic>
    : Cotan_UnaryElementwiseOp<mnemonic, Cotan_FloatTensor, [Cotan_Derivative]> {
  let extraClassDeclaration = [{
    /// f'(x) as a tensor of the operand's type.
    ::mlir::Value derivative(::mlir::OpBuilder &builder);
  }];
  let extraClassDefinition = [{
    ::llvm::SmallVector<::mlir::Value> $cppClass::jvp(
        ::mlir::OpBuilder &builder, ::llvm::ArrayRef<::mlir::Value> tangents) {
      return {::mlir::cotan::scaleByDerivative(builder, getLoc(), tangents[0],
                                               [&] { return derivative(builder); })};
    }
    ::llvm::SmallVector<::mlir::Value> $cppClass::vjp(
        ::mlir::OpBuilder &builder, ::llvm::ArrayRef<::mlir::Value> cotangents) {
      return {::mlir::cotan::scaleByDerivative(builder, getLoc(), cotangents[0],
                                               [&] { return derivative(builder); })};
    }
  }];
}

// z = f(x, y) elementwise on operands of identical type (no implicit
// broadcasting at this level).
class Cotan_BinaryElementwiseOp<string mnemonic, Type TensorTy,
                                list<Trait> traits = []>
    : Cotan_Op<mnemonic, traits # [Pure, Elementwise,
                                   SameOperandsAndResultType, Cotan_Batchable]> {
  let arguments = (ins TensorTy:$lhs, TensorTy:$rhs);
  let results = (outs TensorTy:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

// Reduces `operand` over `dimensions` with an associative combiner; the
// reduced dimensions are removed from the result shape.
class Cotan_ReduceOp<string mnemonic, Type TensorTy, string combiner>
    : Cotan_Op<mnemonic, [Pure, InferTypeOpAdaptor, Cotan_Derivative,
                          Cotan_BatchRule]> {
  let summary = "reduction with " # combiner # " over a set of dimensions";
  let description = "Combines the elements of `operand` along `dimensions` "
      "with " # combiner # ". `dimensions` must be unique and in "
      "`[0, rank)`; the result drops them from the shape.";
  let arguments = (ins TensorTy:$operand, DenseI64ArrayAttr:$dimensions);
  let results = (outs TensorTy:$result);
  let assemblyFormat = [{
    $operand `dims` `=` $dimensions attr-dict `:` type($operand) `->` type($result)
  }];
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> location, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::mlir::cotan::inferReduceType(location,
          adaptor.getOperand().getType(), adaptor.getDimensions(), inferred);
    }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor) {
      if (getDimensions().empty())
        return getOperand();
      return {};
    }
  }];
}

// Index of the extreme element along one dimension (first one on ties).
class Cotan_ArgReduceOp<string mnemonic, string which>
    : Cotan_Op<mnemonic, [Pure, Cotan_NoDerivative, Cotan_BatchRule]> {
  let summary = "index of the " # which # " element along a dimension";
  let description = "Returns, for each position of the other dimensions, the "
      "index along `dimension` of the " # which # " element of `operand`. "
      "Ties resolve to the first index; a NaN counts as the extreme value, "
      "as in NumPy. The result has an integer element type and drops "
      "`dimension` from the shape.";
  let arguments = (ins Cotan_NumericTensor:$operand, I64Attr:$dimension);
  let results = (outs Cotan_IntTensor:$result);
  let assemblyFormat = [{
    $operand `dim` `=` $dimension attr-dict `:` type($operand) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::verify() {
      return ::mlir::cotan::verifyArgReduce(getOperation(),
          getOperand().getType(), getDimension(), getResult().getType());
    }
  }];
}

#endif // COTAN_IR_COTANBASE_TD

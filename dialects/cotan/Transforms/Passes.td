//===- Passes.td - cotan transformation passes -------------*- tablegen -*-===//
#ifndef COTAN_TRANSFORMS_PASSES_TD
#define COTAN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ExpandAutodiff : Pass<"cotan-expand-autodiff", "::mlir::ModuleOp"> {
  let summary = "Expand cotan.vjp and cotan.jvp requests into derivative functions";
  let description = [{
    Replaces every `cotan.vjp @f(...)` by a call to a generated adjoint
    function and every `cotan.jvp @f(...)` by a call to a generated tangent
    function, built from the derivative rules the ops supply through
    `DifferentiableOpInterface`.

    The adjoint function clones `f`'s body (the forward sweep, whose values
    are the saved residuals) and then walks the ops backwards, accumulating
    cotangents: a value used twice receives the sum of both cotangents, and
    rules undo broadcasting by summing. The tangent function interleaves
    each op with its JVP. Requests nested inside a callee are expanded
    first, and calls inside a callee are inlined before it is
    differentiated, so derivatives compose to any order:

    ```mlir
    %y, %dx = cotan.vjp @f(%x) cotangents(%ct) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
    ```
    becomes
    ```mlir
    %r:2 = call @f_vjp(%x, %ct) : (tensor<3xf32>, tensor<f32>) -> (tensor<f32>, tensor<3xf32>)
    ```

    Gradients with respect to integer or boolean inputs are zeros. Ops
    outside the cotan dialect in a differentiated function are errors.
  }];
  let dependentDialects = ["::mlir::cotan::CotanDialect", "::mlir::func::FuncDialect"];
}

def Vmap : Pass<"cotan-vmap", "::mlir::ModuleOp"> {
  let summary = "Expand cotan.vmap requests into batched functions";
  let description = [{
    Replaces every `cotan.vmap @f(...) batched = [...]` by a call to a
    generated function that runs `f` on a whole batch: each op whose
    operands carry the leading batch dimension is replaced by its batching
    rule (`BatchableOpInterface`); elementwise ops broadcast their unbatched
    operands, `dot_general` gains a batch dimension, reductions and shape
    ops shift their dimensions. Ops without a rule run once per batch
    element (a loop the IR spells out). Requests are expanded innermost
    first, as in cotan-expand-autodiff, whose requests they may contain.
  }];
  let dependentDialects = ["::mlir::cotan::CotanDialect", "::mlir::func::FuncDialect"];
}

def ExpandTransforms : Pass<"cotan-expand-transforms", "::mlir::ModuleOp"> {
  let summary = "Expand all cotan transformation requests (vjp, jvp, vmap)";
  let description = [{
    cotan-expand-autodiff and cotan-vmap in one sweep, so requests of
    either kind may nest inside the other (vmap of grad, grad of vmap).
  }];
  let dependentDialects = ["::mlir::cotan::CotanDialect", "::mlir::func::FuncDialect"];
}

def ApproximateMath : Pass<"cotan-approximate-math"> {
  let summary = "Replace f32 transcendental functions by polynomial approximations";
  let description = [{
    Rewrites f32 `math.exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`,
    `sin`, `cos`, `atan`, `atan2` and `erf` into arithmetic (MLIR's
    polynomial approximations, accurate to a few ULP), so loops over them
    no longer call libm once per element and LLVM can vectorize them.
    f64 keeps the libm calls.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

#endif // COTAN_TRANSFORMS_PASSES_TD

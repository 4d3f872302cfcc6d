namespace OptimizerGen.Generator;

/// <summary>Names of the runtime's types, as the parser looks them up and as the emitter writes them.</summary>
internal static class KnownTypes
{
    public const string OptimizeAttribute = "OptimizerGen.OptimizeAttribute";
    public const string ParamAttribute = "OptimizerGen.ParamAttribute";
    public const string ExcludeFromWeightDecayAttribute = "OptimizerGen.ExcludeFromWeightDecayAttribute";
    public const string RmsProp = "OptimizerGen.RmsProp";
    public const string Sgd = "OptimizerGen.Sgd";
    public const string AdaGrad = "OptimizerGen.AdaGrad";
    public const string AdaDelta = "OptimizerGen.AdaDelta";
    public const string Adam = "OptimizerGen.Adam";
    public const string AdamW = "OptimizerGen.AdamW";
    public const string UpdateRuleAttribute = "OptimizerGen.UpdateRuleAttribute";
    public const string StateAttribute = "OptimizerGen.StateAttribute";
    public const string LossAttribute = "OptimizerGen.LossAttribute";
    public const string DifferentiableAttribute = "OptimizerGen.DifferentiableAttribute";
    public const string Activation = "OptimizerGen.Activation";

    public const string RmsPropRef = "global::OptimizerGen.RmsProp";
    public const string RmsPropCoefficientsRef = "global::OptimizerGen.RmsPropCoefficients";
    public const string RmsPropPlainCoefficientsRef = "global::OptimizerGen.RmsPropPlainCoefficients";
    public const string RmsPropStateRef = "global::OptimizerGen.RmsPropState";
    public const string RmsPropScalarStateRef = "global::OptimizerGen.RmsPropScalarState";
    public const string GradientClippingRef = "global::OptimizerGen.GradientClipping";
    public const string RulesNamespaceRef = "global::OptimizerGen.Rules";
    public const string UpdateStateRef = "global::OptimizerGen.Rules.UpdateState";
    public const string ScalarStateRef = "global::OptimizerGen.Rules.ScalarState";
    public const string TapeRef = "global::OptimizerGen.Runtime.Tape";
    public const string ActivationRef = "global::OptimizerGen.Activation";
    public const string FiniteKernelRef = "global::OptimizerGen.Kernels.FiniteKernel";
    public const string ConcurrentUseRef = "global::OptimizerGen.Runtime.ConcurrentUse";
    public const string ConcurrentUseGuardRef = "global::OptimizerGen.Runtime.ConcurrentUseGuard";
    public const string GuardRef = "global::OptimizerGen.Runtime.GeneratedCodeGuard";
    public const string GeneratedCodeAttributeRef = "global::System.CodeDom.Compiler.GeneratedCodeAttribute";
}

using System;
using System.Collections.Generic;
using System.Linq;
using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Differentiation;

/// <summary>
/// What the partial derivatives of each expression node read: the one place that knows, for the emitter (which values
/// to recompute in the reverse pass) and the parser (which locals must be restored from the tape).
/// </summary>
internal static class Partials
{
    /// <summary>The nodes (children or the node itself) whose values the node's partial derivatives use.</summary>
    public static IEnumerable<Expr> ValuesUsedBy(Expr node) => node switch
    {
        Binary { Operator: "*" } b when RepeatedProduct(b) is { } factors => factors.Distinct(),
        Binary { Operator: "*" } b => new[] { b.Left, b.Right },
        Binary { Operator: "/" } b => new[] { b.Right, b },
        Call { Function: Function.Exp or Function.Sqrt or Function.Tanh or Function.Sigmoid } call => new Expr[] { call },
        Call { Function: Function.Pow } call => new[] { call.Arguments[0], call.Arguments[1], call },
        Call call => call.Arguments,
        _ => Array.Empty<Expr>(),
    };

    /// <summary>
    /// The factors of a product x₁·x₂·…·xₙ (nested <c>*</c> of one type) in which a factor other than a literal or
    /// constant appears more than once — <c>e * e</c>, <c>0.5f * e * e</c>, <c>W[i] * x * W[i]</c> — else null. The reverse
    /// pass differentiates such a product as a whole: ∂/∂f of c·fᵏ·r is k·c·fᵏ⁻¹·r, one term (with k·c folded when that
    /// stays a normal number), where the product rule taken node by node would add k terms.
    /// </summary>
    public static List<Expr>? RepeatedProduct(Binary product)
    {
        var factors = new List<Expr>();
        Flatten(product, product.Type, factors);
        var seen = new HashSet<Expr>();
        return factors.Any(f => f is not (Literal or Constant) && !seen.Add(f)) ? factors : null;
    }

    private static void Flatten(Expr node, NumType type, List<Expr> factors)
    {
        if (node is Binary { Operator: "*" } b && b.Type == type)
        {
            Flatten(b.Left, type, factors);
            Flatten(b.Right, type, factors);
        }
        else
        {
            factors.Add(node);
        }
    }

    /// <summary>
    /// The children whose values are computed together with their parent in one reverse block. A conditional's branches
    /// are not: the reverse pass evaluates its condition and differentiates only the branch taken, in a block of its own.
    /// </summary>
    public static IEnumerable<Expr> RegionChildren(Expr node) => node switch
    {
        Unary u => new[] { u.Operand },
        Binary b => new[] { b.Left, b.Right },
        Cast c => new[] { c.Operand },
        Call call => call.Arguments,
        Conditional conditional => new[] { conditional.Condition },
        _ => Array.Empty<Expr>(),
    };

    /// <summary>The float/double locals whose values the reverse pass of <paramref name="expr"/> reads.</summary>
    public static void LocalsReadInReverse(Expr expr, ISet<string> reads)
    {
        foreach (Expr used in ValuesUsedBy(expr))
        {
            AllLocals(used, reads);
        }

        if (expr is Conditional conditional)
        {
            AllLocals(conditional.Condition, reads);
            LocalsReadInReverse(conditional.WhenTrue, reads);
            LocalsReadInReverse(conditional.WhenFalse, reads);
        }

        foreach (Expr child in RegionChildren(expr))
        {
            LocalsReadInReverse(child, reads);
        }
    }

    private static void AllLocals(Expr expr, ISet<string> locals)
    {
        switch (expr)
        {
            case Local local:
                locals.Add(local.Name);
                break;
            case Conditional c:
                AllLocals(c.Condition, locals);
                AllLocals(c.WhenTrue, locals);
                AllLocals(c.WhenFalse, locals);
                break;
            default:
                foreach (Expr child in RegionChildren(expr))
                {
                    AllLocals(child, locals);
                }

                break;
        }
    }

    /// <summary>
    /// Drops the tape pushes of locals whose old values the reverse pass never needs: a local all of whose
    /// assignments come (in top-level statement order) before every statement whose reverse pass reads it — typically
    /// a sum accumulated in a loop and used after it. Its final value is then the only one ever read.
    /// </summary>
    public static List<Stmt> ElideUnneededSaves(List<Stmt> body)
    {
        var lastAssigned = new Dictionary<string, int>(StringComparer.Ordinal);
        var firstRead = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < body.Count; i++)
        {
            var assigned = new HashSet<string>(StringComparer.Ordinal);
            var read = new HashSet<string>(StringComparer.Ordinal);
            Scan(body[i], assigned, read);
            foreach (string name in assigned)
            {
                lastAssigned[name] = i;
            }

            foreach (string name in read.Where(n => !firstRead.ContainsKey(n)))
            {
                firstRead[name] = i;
            }
        }

        var elided = new HashSet<string>(
            lastAssigned.Where(a => !firstRead.TryGetValue(a.Key, out int read) || read > a.Value).Select(a => a.Key),
            StringComparer.Ordinal);
        return body.Select(s => Rewrite(s, elided)).ToList();
    }

    private static void Scan(Stmt statement, ISet<string> assigned, ISet<string> read)
    {
        switch (statement)
        {
            case Assign assign:
                assigned.Add(assign.Target);
                LocalsReadInReverse(assign.Value, read);
                break;
            case Return ret:
                LocalsReadInReverse(ret.Value, read);
                break;
            case If branch:
                foreach (Stmt inner in branch.Then.Concat(branch.Else))
                {
                    Scan(inner, assigned, read);
                }

                break;
            case For loop:
                foreach (Stmt inner in loop.Body)
                {
                    Scan(inner, assigned, read);
                }

                break;
        }
    }

    private static Stmt Rewrite(Stmt statement, ISet<string> elided) => statement switch
    {
        Assign assign when assign.SaveOldValue && elided.Contains(assign.Target) => assign with { SaveOldValue = false },
        If branch => branch with
        {
            Then = branch.Then.Select(s => Rewrite(s, elided)).ToEquatableArray(),
            Else = branch.Else.Select(s => Rewrite(s, elided)).ToEquatableArray(),
        },
        For loop => loop with { Body = loop.Body.Select(s => Rewrite(s, elided)).ToEquatableArray() },
        _ => statement,
    };
}

using OptimizerGen.Generator.Model;

namespace OptimizerGen.Generator.Emit;

/// <summary>Small naming helpers shared by the emitters.</summary>
internal static class Names
{
    public static string Keyword(ElementType element) => element == ElementType.Float ? "float" : "double";

    public static string FieldType(ParamField field) => Keyword(field.Element) + (field.IsArray ? "[]" : string.Empty);

    public static string ShapeText(ParamField field) => "[" + string.Join(", ", field.Shape) + "]";

    public static int ShapeLength(ParamField field)
    {
        int length = 1;
        foreach (int dimension in field.Shape)
        {
            length *= dimension;
        }

        return length;
    }
}

using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace PipeChat.Server.Diagnostics;

/// <summary>
/// Exports this server's "PipeChat" meter (<see cref="ServerMetrics"/>) as Prometheus text
/// through OpenTelemetry's Prometheus exporter; the HTTP port maps its scraping endpoint at
/// /metrics. Only this server's meter instance is exported (another server in the same
/// process has a meter of the same name), and no other meter is observed: Kestrel's meters
/// stay unlistened, so they cost nothing per connection.
/// </summary>
public static class PrometheusExport
{
    public static void AddPipeChatMetrics(this IServiceCollection services, ServerMetrics metrics)
    {
        services.AddOpenTelemetry().WithMetrics(builder => builder
            .AddMeter(ServerMetrics.MeterName)
            .AddView(instrument => ReferenceEquals(instrument.Meter, metrics.Meter) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(exporter => exporter.ScrapeResponseCacheDurationMilliseconds = 0));
    }
}

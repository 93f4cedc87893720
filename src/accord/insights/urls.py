from django.urls import path

from accord.insights import views

urlpatterns = [
    path("", views.result_list, name="results"),
    path("<int:cycle_id>/", views.heatmap, name="results-heatmap"),
    path("<int:cycle_id>/drivers/", views.drivers, name="results-drivers"),
    path("<int:cycle_id>/gap/", views.perception_gap, name="results-gap"),
    path("<int:cycle_id>/trends/", views.trends, name="results-trends"),
    path("<int:cycle_id>/comments/", views.comments, name="results-comments"),
    path("<int:cycle_id>/export/", views.export, name="results-export"),
    path("<int:cycle_id>/export/<slug:fmt>/", views.export_file, name="results-export-file"),
    path("<int:cycle_id>/publish/", views.publish, name="results-publish"),
    path("<int:cycle_id>/release/", views.rerelease, name="results-release"),
]

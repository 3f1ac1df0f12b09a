"""(being written this session)"""

urlpatterns = []
